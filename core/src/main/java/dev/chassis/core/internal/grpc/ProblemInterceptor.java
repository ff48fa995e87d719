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
import io.opentelemetry.api.trace.Span;

/**
 * The gRPC side of the error model: a {@link Problem} (thrown, or passed to {@code onError}) becomes the
 * mapped status with its detail; an exception the service did not expect becomes INTERNAL with no
 * internals, and is logged with the trace id that the status description carries. Not API.
 */
public final class ProblemInterceptor implements ServerInterceptor {
    private static final System.Logger LOG = System.getLogger(ProblemInterceptor.class.getName());

    private final long maxMessageSize;

    /** @param maxMessageSize a larger request message is refused with RESOURCE_EXHAUSTED */
    public ProblemInterceptor(long maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        ServerCall<Q, R> translating = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                super.close(translate(status, call.getMethodDescriptor().getFullMethodName()), trailers);
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
                if (message instanceof com.google.protobuf.MessageLite m && m.getSerializedSize() > maxMessageSize) {
                    try {
                        translating.close(Status.RESOURCE_EXHAUSTED.withDescription("the message is larger than "
                                + maxMessageSize + " bytes"), new Metadata());
                    } catch (IllegalStateException alreadyClosed) {
                        LOG.log(Level.DEBUG, "call already closed", alreadyClosed);
                    }
                    return;
                }
                try {
                    super.onMessage(message);
                } catch (RuntimeException e) {
                    closeQuietly(translating, e);
                }
            }

            @Override
            public void onHalfClose() {
                try {
                    super.onHalfClose();
                } catch (RuntimeException e) {
                    closeQuietly(translating, e);
                }
            }
        };
    }

    private static void closeQuietly(ServerCall<?, ?> call, RuntimeException e) {
        try {
            call.close(Status.UNKNOWN.withCause(e), new Metadata());
        } catch (IllegalStateException alreadyClosed) {
            LOG.log(Level.DEBUG, "call already closed when its handler threw", e);
        }
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
