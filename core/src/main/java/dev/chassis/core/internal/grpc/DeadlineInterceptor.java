package dev.chassis.core.internal.grpc;

import java.util.concurrent.TimeUnit;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Gives every gRPC call a cancellable {@link Context}: its {@code grpc-timeout} becomes the handler's deadline
 * ({@code Context.current().getDeadline()}), and the context is cancelled when the client cancels or the
 * call ends, so that calls the handler makes through Chassis channels and clients inherit what is left of
 * the deadline and stop with the call. Not API.
 */
public final class DeadlineInterceptor implements ServerInterceptor {
    static final Metadata.Key<String> TIMEOUT = Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER);
    /** Fires deadlines (cancels the contexts); one daemon thread for the process. */
    private static final java.util.concurrent.ScheduledThreadPoolExecutor TIMER = timer();

    private static java.util.concurrent.ScheduledThreadPoolExecutor timer() {
        java.util.concurrent.ScheduledThreadPoolExecutor t = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "chassis-grpc-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        t.setRemoveOnCancelPolicy(true); // a finished call's deadline must not stay queued until it would have fired
        return t;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String timeout = headers.get(TIMEOUT);
        long nanos = timeout == null ? -1 : parse(timeout);
        // Every call gets a cancellable context, cancelled when the client cancels or the deadline passes, so
        // that what the handler started (calls through Chassis channels and clients) stops with it.
        Context.CancellableContext ctx = nanos >= 0
                ? Context.current().withDeadlineAfter(nanos, TimeUnit.NANOSECONDS, TIMER)
                : Context.current().withCancellation();
        ServerCall<Q, R> closing = new io.grpc.ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(io.grpc.Status status, Metadata trailers) {
                try {
                    super.close(status, trailers);
                } finally {
                    ctx.cancel(null); // the call is over: release the deadline timer, cancel what it started
                }
            }
        };
        ServerCall.Listener<Q> listener = Contexts.interceptCall(ctx, closing, headers, next);
        return new io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onCancel() {
                try {
                    super.onCancel();
                } catch (RuntimeException e) {
                    System.getLogger(DeadlineInterceptor.class.getName()).log(System.Logger.Level.WARNING,
                            "a gRPC cancellation handler failed", e);
                } finally {
                    ctx.cancel(null);
                }
            }
        };
    }

    /** {@code grpc-timeout}: up to 8 digits and a unit (H, M, S, m, u, n); -1 when malformed. */
    static long parse(String value) {
        if (value.length() < 2 || value.length() > 9) {
            return -1;
        }
        String digits = value.substring(0, value.length() - 1);
        for (int i = 0; i < digits.length(); i++) {
            if (!Character.isDigit(digits.charAt(i))) {
                return -1; // no sign, no spaces: digits only
            }
        }
        long n = Long.parseLong(digits);
        return switch (value.charAt(value.length() - 1)) {
            case 'H' -> TimeUnit.HOURS.toNanos(n);
            case 'M' -> TimeUnit.MINUTES.toNanos(n);
            case 'S' -> TimeUnit.SECONDS.toNanos(n);
            case 'm' -> TimeUnit.MILLISECONDS.toNanos(n);
            case 'u' -> TimeUnit.MICROSECONDS.toNanos(n);
            case 'n' -> n;
            default -> -1;
        };
    }
}
