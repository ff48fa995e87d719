package dev.chassis.core.spi;

import java.util.List;

import io.grpc.ServiceDescriptor;

/**
 * What the service serves on its service port, as bound: every annotated HTTP handler and every gRPC service
 * (the application's, then {@code grpc.health.v1.Health} when the service serves gRPC). Given to
 * {@link ExtensionContext.Lifecycle#onDescribed} hooks. Immutable.
 *
 * @param operations the annotated HTTP handlers, sorted by path then method
 * @param grpc       the gRPC services' descriptors (empty when the service serves no gRPC)
 */
public record ServiceApi(List<HttpOperation> operations, List<ServiceDescriptor> grpc) {
    public ServiceApi {
        operations = List.copyOf(operations);
        grpc = List.copyOf(grpc);
    }
}
