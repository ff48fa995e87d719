package dev.chassis.core.internal.grpc;

import java.lang.System.Logger.Level;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import dev.chassis.core.Problem;
import dev.chassis.core.ProblemSource;
import dev.chassis.core.grpc.GrpcStatuses;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.atomic.AtomicBoolean;
import io.opentelemetry.api.trace.Span;

/**
 * The gRPC side of the error model: a {@link Problem} (thrown, or passed to {@code onError}) becomes the
 * mapped status with its detail; an exception the service did not expect becomes INTERNAL with no
 * internals, and is logged with the trace id that the status description carries. Not API.
 */
public final class ProblemInterceptor implements ServerInterceptor {
    private static final System.Logger LOG = System.getLogger(ProblemInterceptor.class.getName());

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        AtomicBoolean closed = new AtomicBoolean();
        String method = call.getMethodDescriptor().getFullMethodName();
        // Helidon's ServerCall does not refuse a second close; a second trailers frame on a closed stream makes
        // the client reset it, which can cost the whole connection. Only the first close goes out.
        ServerCall<Q, R> translating = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                if (closed.compareAndSet(false, true)) {
                    super.close(translate(status, method), trailers);
                }
            }

            @Override
            public void sendMessage(R message) {
                if (!closed.get()) {
                    super.sendMessage(message);
                }
            }
        };
        ServerCall.Listener<Q> listener;
        try {
            listener = next.startCall(translating, headers);
        } catch (RuntimeException e) {
            closeQuietly(translating, e);
            return new ServerCall.Listener<>() {
            };
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(Q message) {
                if (!closed.get()) {
                    guard(() -> super.onMessage(message));
                }
            }

            @Override
            public void onHalfClose() {
                if (!closed.get()) {
                    guard(super::onHalfClose);
                }
            }

            @Override
            public void onReady() {
                guard(super::onReady);
            }

            @Override
            public void onComplete() {
                logged(super::onComplete);
            }

            @Override
            public void onCancel() {
                logged(super::onCancel);
                if (!call.isCancelled() && !closed.get()) {
                    // Helidon cancels the listener, without closing the call, when it cannot read a request
                    // message: larger than grpc.max-message-size, or not a valid message
                    translating.close(Status.RESOURCE_EXHAUSTED.withDescription("the request message could not be"
                            + " read: larger than grpc.max-message-size, or malformed"), new Metadata());
                }
            }

            private void guard(Runnable r) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    closeQuietly(translating, e);
                }
            }
        };
    }

    private static void logged(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "a gRPC completion or cancellation handler failed", e);
        }
    }

    private static void closeQuietly(ServerCall<?, ?> call, RuntimeException e) {
        call.close(Status.UNKNOWN.withCause(e), new Metadata());
    }

    static Status translate(Status status, String method) {
        Throwable cause = status.getCause();
        if (status.isOk() || cause == null) {
            return status;
        }
        if (cause instanceof Problem p) {
            return GrpcStatuses.toStatus(p);
        }
        if (cause instanceof ProblemSource s) {
            return GrpcStatuses.toStatus(s.toProblem());
        }
        if (cause instanceof StatusRuntimeException sre) {
            // a failed call through a Chassis channel carries its problem: answer as this service, not as the target
            return sre.getCause() instanceof ProblemSource s ? GrpcStatuses.toStatus(s.toProblem()) : sre.getStatus();
        }
        if (cause instanceof StatusException se) {
            return se.getStatus();
        }
        if (status.getCode() != Status.Code.UNKNOWN) {
            return status.withCause(null);
        }
        String traceId = Span.current().getSpanContext().isValid() ? Span.current().getSpanContext().getTraceId()
                : HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong())
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong() | 1L);
        LOG.log(Level.ERROR, "Unhandled exception in gRPC " + method + " (traceId=" + traceId + ")", cause);
        return Status.INTERNAL.withDescription("An unexpected error occurred. Quote traceId " + traceId
                + " when reporting it.");
    }
}
