package dev.chassis.core.internal.grpc;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import dev.chassis.core.health.HealthChecks;
import dev.chassis.core.http.BindingException;
import dev.chassis.core.internal.telemetry.GrpcTelemetry;
import dev.chassis.core.internal.telemetry.Telemetry;
import dev.chassis.core.internal.transport.InFlight;
import dev.chassis.core.internal.transport.SecureConnections;
import dev.chassis.core.internal.transport.TrustedProxies;
import dev.chassis.core.spi.AccessPolicy;
import dev.chassis.core.spi.Constraints;
import io.grpc.BindableService;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.ProtoFileDescriptorSupplier;
import io.helidon.webserver.grpc.GrpcRouting;

/** The gRPC routing of a service: its services, grpc.health.v1, and Chassis' call guard. Not API. */
public final class GrpcServices {
    private GrpcServices() {
    }

    /**
     * @param services      the application's services
     * @param health        the checks behind grpc.health.v1
     * @param watchInterval how often health Watch streams look for a change
     * @param maxWatchers   the most health Watch streams open at once
     * @param defaultTimeout the deadline of unary and client-streaming calls that carry none; zero for none
     * @param hooks         the extensions' interceptors; they run inside Chassis' guard
     * @param access        who may call each method (checked inside the hooks), or null when everyone may
     * @param inFlight      shutdown bookkeeping shared with HTTP
     * @param onStopping    where to register what must happen when shutdown begins
     * @param telemetry     spans and durations of the calls served
     * @param constraints   the Bean Validation of request messages
     * @param secure        the listener's open TLS connections, for the caller's {@code Peer}
     * @param proxies       the proxies whose forwarded metadata names a call's client ({@code server.trusted-proxies})
     * @param rfc7239       read their {@code forwarded} metadata, else {@code x-forwarded-for}
     */
    public static GrpcRouting.Builder routing(List<BindableService> services, HealthChecks health, Duration watchInterval,
                                              int maxWatchers, int maxWatchersPerConnection, Duration defaultTimeout,
                                              Duration maxTimeout,
                                              List<ServerInterceptor> hooks, AccessPolicy access, InFlight inFlight,
                                              Consumer<Runnable> onStopping,
                                              Telemetry telemetry,
                                              Constraints constraints, SecureConnections secure,
                                              TrustedProxies proxies, boolean rfc7239) {
        Set<String> names = new HashSet<>();
        // Helidon runs higher weights first: Chassis' guard (shutdown, deadline, error model), then the hooks
        GrpcRouting.Builder grpc = GrpcRouting.builder().intercept(200, new ServerCallGuard(inFlight,
                new GrpcTelemetry(telemetry), RequestChecks.of(services,
                constraints), secure, defaultTimeout, maxTimeout, proxies, rfc7239));
        hooks.forEach(h -> grpc.intercept(100, h));
        RpcAccess rules = RpcAccess.of(services, access);
        if (rules != null) {
            grpc.intercept(50, rules);
        }
        for (BindableService s : services) {
            String name = s.bindService().getServiceDescriptor().getName();
            if (!names.add(name)) {
                throw new BindingException("the gRPC service " + name + " is registered twice (" + s.getClass().getName()
                        + "). Fix: register each service once");
            }
            register(grpc, s);
        }
        GrpcHealthService healthService = new GrpcHealthService(health, names, watchInterval, maxWatchers,
                maxWatchersPerConnection);
        onStopping.accept(healthService::close); // watchers hear NOT_SERVING and their streams end
        register(grpc, healthService);
        return grpc;
    }

    /**
     * The services as reflection on the management port describes them: their descriptors only. Every call but
     * reflection's own gets UNIMPLEMENTED there: the services are served on the service port.
     */
    public static GrpcRouting.Builder described(List<BindableService> services) {
        GrpcRouting.Builder grpc = GrpcRouting.builder().intercept(new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                             ServerCallHandler<Q, A> next) {
                if (call.getMethodDescriptor().getFullMethodName().startsWith("grpc.reflection.")) {
                    return next.startCall(call, headers);
                }
                call.close(Status.UNIMPLEMENTED.withDescription(call.getMethodDescriptor().getFullMethodName()
                        + " is served on the service port, not on the management port"), new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
        });
        services.forEach(s -> register(grpc, s));
        register(grpc, new HealthGrpc.HealthImplBase() {
        });
        return grpc;
    }

    /** With its .proto descriptor when it has one, so that reflection can hand it to tools. */
    private static void register(GrpcRouting.Builder grpc, BindableService service) {
        Object schema = service.bindService().getServiceDescriptor().getSchemaDescriptor();
        if (schema instanceof ProtoFileDescriptorSupplier proto) {
            grpc.service(proto.getFileDescriptor(), service);
        } else {
            grpc.service(service);
        }
    }
}
