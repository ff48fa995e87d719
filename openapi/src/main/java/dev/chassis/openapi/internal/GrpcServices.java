package dev.chassis.openapi.internal;

import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.chassis.core.Json;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.ProtoFileDescriptorSupplier;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;

/**
 * The {@code x-grpc-services} extension: every gRPC service the port serves, with its methods, their kind
 * (unary, server streaming...) and their message types as the {@code .proto} names them, so that one document
 * tells a gateway everything the port serves. The messages themselves are described by gRPC server reflection.
 * Not API.
 */
final class GrpcServices {
    private GrpcServices() {
    }

    static ArrayNode of(List<ServiceDescriptor> services) {
        ArrayNode all = Json.mapper().createArrayNode();
        for (ServiceDescriptor service : services) {
            ObjectNode s = all.addObject();
            s.put("name", service.getName());
            if (service.getSchemaDescriptor() instanceof ProtoFileDescriptorSupplier proto) {
                s.put("file", proto.getFileDescriptor().getName());
            }
            ArrayNode methods = s.putArray("methods");
            for (MethodDescriptor<?, ?> m : service.getMethods()) {
                ObjectNode method = methods.addObject();
                method.put("name", m.getBareMethodName());
                method.put("fullName", m.getFullMethodName());
                method.put("type", m.getType().name());
                if (m.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier proto) {
                    method.put("input", proto.getMethodDescriptor().getInputType().getFullName());
                    method.put("output", proto.getMethodDescriptor().getOutputType().getFullName());
                }
            }
        }
        return all;
    }
}
