package dev.chassis.tests.ext;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.chassis.core.config.Setting;
import dev.chassis.core.internal.transport.ConnectionEnd;
import dev.chassis.core.spi.ChassisExtension;
import dev.chassis.core.spi.ExtensionContext;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * A test extension that, when {@code test-grpc-refuse.enabled} is true, refuses every gRPC call as it starts
 * ({@code UNAUTHENTICATED}, as access rules do for a caller without a token) from an interceptor inside Chassis' own,
 * and records the {@link ConnectionEnd} of each call's connection so that a test can look at what stays registered.
 */
public final class RefusingGrpcExtension implements ChassisExtension {
    static final Setting<Boolean> ENABLED = Setting.bool("test-grpc-refuse.enabled", false);
    /** The connections the refused calls came on. */
    public static final Set<ConnectionEnd> CONNECTIONS = ConcurrentHashMap.newKeySet();

    @Override
    public String name() {
        return "test-grpc-refuse";
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(ENABLED);
    }

    @Override
    public void register(ExtensionContext context) {
        if (!context.config().get(ENABLED)) {
            return;
        }
        context.grpc().serverInterceptor(new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                             ServerCallHandler<Q, R> next) {
                ConnectionEnd end = ConnectionEnd.current();
                if (end != null) {
                    CONNECTIONS.add(end);
                }
                call.close(Status.UNAUTHENTICATED.withDescription("refused by the test"), new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
        });
    }
}
