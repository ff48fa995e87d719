package dev.chassis.core.internal.grpc;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.rpc.BadRequest;
import dev.chassis.core.Problem;
import dev.chassis.core.spi.Constraints;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * The Bean Validation checks of the request messages of a service's gRPC methods, decided when the services are
 * bound: only methods whose request type declares constraints (for protobuf classes, in a constraint mapping) are
 * checked; the others cost nothing per call. Violations are reported by the request's protobuf field path
 * ({@code items[2].quantity}), not by Java getter names. Not API.
 */
final class RequestChecks {
    private final Map<String, RequestCheck> byMethod;

    private RequestChecks(Map<String, RequestCheck> byMethod) {
        this.byMethod = byMethod;
    }

    /** The checks of these services' methods, or {@code null} when no request message is constrained. */
    static RequestChecks of(List<BindableService> services, Constraints constraints) {
        Map<String, RequestCheck> byMethod = new HashMap<>();
        for (BindableService service : services) {
            for (ServerMethodDefinition<?, ?> method : service.bindService().getMethods()) {
                MethodDescriptor<?, ?> descriptor = method.getMethodDescriptor();
                if (descriptor.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> p
                        && p.getMessagePrototype() instanceof Message prototype) {
                    constraints.of(prototype.getClass()).ifPresent(check -> byMethod.put(
                            descriptor.getFullMethodName(), new RequestCheck(check, prototype.getDescriptorForType())));
                }
            }
        }
        return byMethod.isEmpty() ? null : new RequestChecks(Map.copyOf(byMethod));
    }

    /** The check of a method's request messages, or {@code null} when they are not constrained. */
    RequestCheck forMethod(String fullMethodName) {
        return byMethod.get(fullMethodName);
    }

    /** Checks the request messages of one method. Thread-safe. */
    static final class RequestCheck {
        private final Constraints.Check check;
        private final Descriptor type;

        RequestCheck(Constraints.Check check, Descriptor type) {
            this.check = check;
            this.type = type;
        }

        /**
         * Empty when {@code message} is valid; else INVALID_ARGUMENT naming each violated field and its messages,
         * with a {@code google.rpc.BadRequest} detail holding one field violation per field.
         */
        Optional<StatusRuntimeException> reject(Object message) {
            List<Problem.FieldError> violations = check.violations(message);
            if (violations.isEmpty()) {
                return Optional.empty();
            }
            BadRequest.Builder badRequest = BadRequest.newBuilder();
            for (Problem.FieldError v : violations) {
                badRequest.addFieldViolations(BadRequest.FieldViolation.newBuilder()
                        .setField(protoPath(type, v.field())).setDescription(v.message()));
            }
            String description = "invalid request: " + badRequest.getFieldViolationsList().stream()
                    .map(f -> f.getField() + ": " + f.getDescription()).collect(Collectors.joining(", "));
            return Optional.of(StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder() // CHECKSTYLE:FQN-OK
                    .setCode(Status.Code.INVALID_ARGUMENT.value())
                    .setMessage(description)
                    .addDetails(Any.pack(badRequest.build()))
                    .build()));
        }
    }

    /**
     * A Bean Validation path over a message's Java properties ({@code itemsList[2].quantity}) as the path of
     * protobuf field names ({@code items[2].quantity}); the part it cannot follow is kept as it is.
     */
    static String protoPath(Descriptor root, String path) {
        StringBuilder out = new StringBuilder();
        Descriptor type = root;
        int i = 0;
        while (i < path.length()) {
            int end = i;
            while (end < path.length() && path.charAt(end) != '.' && path.charAt(end) != '[') {
                end++;
            }
            FieldDescriptor field = type == null ? null : field(type, path.substring(i, end));
            if (field == null) {
                return out.append(path.substring(i)).toString();
            }
            out.append(field.getName());
            int next = end;
            while (next < path.length() && path.charAt(next) == '[') { // [index] or [key]
                int close = path.indexOf(']', next);
                next = close < 0 ? path.length() : close + 1;
            }
            out.append(path, end, next);
            type = field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isMapField()
                    ? field.getMessageType() : null;
            if (next < path.length()) {
                out.append('.');
                next++; // the dot
            }
            i = next;
        }
        return out.toString();
    }

    /** The field a Java property of a generated message stands for: {@code fooBar}, {@code fooBarList}, ... */
    private static FieldDescriptor field(Descriptor type, String property) {
        for (FieldDescriptor f : type.getFields()) {
            String name = camel(f.getName());
            String suffix = f.isMapField() ? "Map" : f.isRepeated() ? "List"
                    : f.getJavaType() == FieldDescriptor.JavaType.ENUM && property.endsWith("Value") ? "Value" : "";
            if (property.equals(name + suffix) || property.equals(name)) {
                return f;
            }
        }
        return null;
    }

    private static String camel(String snake) {
        StringBuilder sb = new StringBuilder(snake.length());
        boolean upper = false;
        for (int i = 0; i < snake.length(); i++) {
            char c = snake.charAt(i);
            if (c == '_') {
                upper = true;
            } else {
                sb.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return sb.toString();
    }
}
