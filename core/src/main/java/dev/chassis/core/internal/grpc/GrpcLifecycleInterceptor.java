package dev.chassis.core.internal.grpc;

import java.util.concurrent.atomic.AtomicBoolean;

import dev.chassis.core.internal.http.LifecycleFilter;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Graceful shutdown for gRPC: counts calls in flight with the HTTP requests (so stop waits for them too),
 * and refuses new calls with UNAVAILABLE once the service drains. The outermost Chassis interceptor.
 * Not API.
 */
public final class GrpcLifecycleInterceptor implements ServerInterceptor {
    private final LifecycleFilter lifecycle;

    public GrpcLifecycleInterceptor(LifecycleFilter lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (lifecycle.draining()) {
            call.close(Status.UNAVAILABLE.withDescription("the service is shutting down; call another instance"),
                    new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        lifecycle.enter();
        AtomicBoolean done = new AtomicBoolean();
        Runnable exit = () -> {
            if (done.compareAndSet(false, true)) {
                lifecycle.exit();
            }
        };
        ServerCall<Q, R> counted = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                try {
                    super.close(status, trailers);
                } finally {
                    exit.run();
                }
            }
        };
        ServerCall.Listener<Q> listener;
        try {
            listener = next.startCall(counted, headers);
        } catch (RuntimeException e) {
            exit.run();
            throw e;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onCancel() {
                try {
                    super.onCancel();
                } finally {
                    exit.run();
                }
            }

            @Override
            public void onComplete() {
                try {
                    super.onComplete();
                } finally {
                    exit.run();
                }
            }
        };
    }
}
