package dev.chassis.core.internal.grpc;

import java.time.Duration;
import java.util.Set;

import dev.chassis.core.health.HealthCheck;
import dev.chassis.core.health.HealthChecks;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * {@code grpc.health.v1.Health} fed by the same checks as {@code /health/ready}: {@code ""} is the whole
 * service, each registered gRPC service answers the same readiness; an unknown service is NOT_FOUND
 * (Check) or SERVICE_UNKNOWN (Watch). Watch sends the current status, then every change, until the
 * client cancels. Not API.
 */
public final class GrpcHealthService extends HealthGrpc.HealthImplBase {
    private final HealthChecks checks;
    private final Set<String> services;
    private final Duration watchInterval;

    public GrpcHealthService(HealthChecks checks, Set<String> services, Duration watchInterval) {
        this.checks = checks;
        this.services = Set.copyOf(services);
        this.watchInterval = watchInterval;
    }

    @Override
    public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> observer) {
        if (!known(request.getService())) {
            observer.onError(Status.NOT_FOUND.withDescription("unknown service " + request.getService()).asException());
            return;
        }
        observer.onNext(response(status()));
        observer.onCompleted();
    }

    @Override
    public void watch(HealthCheckRequest request, StreamObserver<HealthCheckResponse> observer) {
        ServerCallStreamObserver<HealthCheckResponse> call = (ServerCallStreamObserver<HealthCheckResponse>) observer;
        boolean known = known(request.getService());
        Thread.ofVirtual().name("grpc-health-watch").start(() -> {
            ServingStatus last = null;
            try {
                while (!call.isCancelled()) {
                    ServingStatus now = known ? status() : ServingStatus.SERVICE_UNKNOWN;
                    if (now != last) {
                        call.onNext(response(now));
                        last = now;
                    }
                    Thread.sleep(watchInterval);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException closed) {
                // the client went away between the check and the send
            }
        });
    }

    private boolean known(String service) {
        return service.isEmpty() || services.contains(service);
    }

    private ServingStatus status() {
        return checks.report(HealthCheck.Kind.READINESS).isUp() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    }

    private static HealthCheckResponse response(ServingStatus status) {
        return HealthCheckResponse.newBuilder().setStatus(status).build();
    }
}
