package dev.chassis.core.internal.server;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.chassis.core.Problem;
import dev.chassis.core.config.Setting;
import dev.chassis.core.health.HealthCheck;
import dev.chassis.core.internal.grpc.ChassisChannel;
import dev.chassis.core.internal.http.client.ClientBinder;
import io.grpc.BindableService;
import io.helidon.webserver.http.HttpRules;

/** What the service builder collected; immutable. Not API. */
public record ServiceSpec(String name,
                          String version,
                          List<Object> endpoints,
                          List<HealthCheck> checks,
                          Map<Class<? extends Throwable>, Function<Throwable, Problem>> mappers,
                          Map<String, String> properties,
                          List<Consumer<HttpRules>> routing,
                          List<Setting<?>> settings,
                          List<PendingClient> clients,
                          Clock clock,
                          List<BindableService> grpcServices,
                          List<ChassisChannel> grpcChannels,
                          List<Object> consumers,
                          List<ComponentSlot<?>> components) {
    /** A client interface created on the builder, bound at start. */
    public record PendingClient(String target, ClientBinder.Pending<?> pending) {
    }

    public ServiceSpec {
        endpoints = List.copyOf(endpoints);
        checks = List.copyOf(checks);
        mappers = Map.copyOf(mappers);
        properties = Map.copyOf(properties);
        routing = List.copyOf(routing);
        settings = List.copyOf(settings);
        clients = List.copyOf(clients);
        grpcServices = List.copyOf(grpcServices);
        grpcChannels = List.copyOf(grpcChannels);
        consumers = List.copyOf(consumers);
        components = List.copyOf(components);
    }
}
