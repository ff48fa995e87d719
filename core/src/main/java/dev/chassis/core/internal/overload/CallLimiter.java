package dev.chassis.core.internal.overload;

import java.util.concurrent.atomic.AtomicBoolean;

import com.netflix.concurrency.limits.Limiter;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Applies the {@link ConcurrencyLimits} to gRPC calls, inside Chassis' call guard and before the extensions'
 * interceptors and the request message: a call above its group's limit is closed at once with UNAVAILABLE — the
 * status of an HTTP 503 in the standard's table, which callers retry on another instance (RESOURCE_EXHAUSTED is the
 * 429 of a caller's quota, which they must not retry). A unary call holds its permit until it closes and gives its
 * latency to the limit; a streaming call is admitted only below the limit but holds no permit: its length says
 * nothing of the service's latency. gRPC health and reflection are never limited. Not API.
 */
public final class CallLimiter implements ServerInterceptor {
    /** The description of a refused call. */
    static final String REFUSED = "the service is at its concurrency limit; call another instance";

    private final ConcurrencyLimits limits;

    public CallLimiter(ConcurrencyLimits limits) {
        this.limits = limits;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        LimitGroup group = limits.forMethod(call.getMethodDescriptor().getFullMethodName());
        if (group == null) {
            return next.startCall(call, headers);
        }
        Limiter.Listener permit = group.tryAcquire();
        if (permit == null) {
            call.close(Status.UNAVAILABLE.withDescription(REFUSED), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        if (call.getMethodDescriptor().getType() != MethodDescriptor.MethodType.UNARY) {
            permit.onIgnore();
            return next.startCall(call, headers);
        }
        AtomicBoolean released = new AtomicBoolean();
        ServerCall<Q, R> limited = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                try {
                    super.close(status, trailers);
                } finally {
                    if (released.compareAndSet(false, true)) {
                        if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
                            permit.onDropped();
                        } else {
                            permit.onSuccess();
                        }
                    }
                }
            }
        };
        ServerCall.Listener<Q> listener;
        try {
            listener = next.startCall(limited, headers);
        } catch (RuntimeException e) {
            if (released.compareAndSet(false, true)) {
                permit.onIgnore();
            }
            throw e;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onCancel() {
                try {
                    super.onCancel();
                } finally {
                    if (released.compareAndSet(false, true)) {
                        permit.onIgnore(); // the client went away: its latency is not the service's
                    }
                }
            }

            @Override
            public void onComplete() {
                try {
                    super.onComplete();
                } finally {
                    if (released.compareAndSet(false, true)) {
                        permit.onSuccess();
                    }
                }
            }
        };
    }
}
