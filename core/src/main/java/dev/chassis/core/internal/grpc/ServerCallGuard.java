package dev.chassis.core.internal.grpc;

import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.chassis.core.Peer;
import dev.chassis.core.Problem;
import dev.chassis.core.ProblemSource;
import dev.chassis.core.grpc.GrpcStatuses;
import dev.chassis.core.internal.shared.CallPeer;
import dev.chassis.core.internal.transport.ConnectionEnd;
import dev.chassis.core.internal.transport.ForwardedFilter;
import dev.chassis.core.internal.transport.InFlight;
import dev.chassis.core.internal.transport.SecureConnections;
import dev.chassis.core.internal.transport.TrustedProxies;
import io.grpc.Context;
import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import dev.chassis.core.internal.telemetry.GrpcTelemetry;

/**
 * What Chassis does around every gRPC call, in one interceptor (one call wrapper and one listener wrapper
 * per call, as this runs on every call):
 * <ul>
 * <li><b>shutdown</b>: counts the call in flight with the HTTP requests, and refuses new calls with
 * UNAVAILABLE once the service drains;</li>
 * <li><b>deadline and cancellation</b>: runs the handler in a cancellable {@link Context} whose deadline is
 * the call's {@code grpc-timeout} (for a unary or client-streaming call without one, {@code grpc.default-timeout}),
 * cancelled when the client cancels or the call ends, so that the calls the handler makes through Chassis channels
 * and clients inherit the deadline and stop with the call; when the deadline passes the call is closed with
 * DEADLINE_EXCEEDED at once, whatever the handler is doing;</li>
 * <li><b>the error model</b>: a {@link Problem} (thrown, or passed to {@code onError}) answers the mapped
 * status; an unexpected exception answers INTERNAL without internals and is logged with a trace id;
 * a request message Helidon could not read answers RESOURCE_EXHAUSTED; a message {@link InboundMessages} refused
 * (over {@code grpc.max-message-size}, compressed or inflated) ends the call with its status; a call whose
 * {@code grpc-encoding} is neither {@code identity} nor {@code gzip} answers UNIMPLEMENTED with
 * {@code grpc-accept-encoding}; only the first close goes out (Helidon's call does not refuse a second one);</li>
 * <li><b>validation</b>: a request message whose type declares Bean Validation constraints is checked before the
 * service sees it, and an invalid one answers INVALID_ARGUMENT with a {@code google.rpc.BadRequest} detail
 * (methods whose request is not constrained are not looked at);</li>
 * <li><b>the status message</b>: percent-encoded as the gRPC HTTP/2 protocol asks (Helidon 4.5.0 writes it as it
 * is, and a client that meets a CR/LF or a non-ASCII character in {@code grpc-message} never sees the call end);</li>
 * <li><b>a connection that dropped</b>: a call still open when its HTTP/2 connection ends without the client
 * resetting its stream is cancelled, as a reset would cancel it ({@link ConnectionEnd});</li>
 * <li><b>the caller</b>: on a TLS port, the certificate the call's connection presented is the call's
 * {@link Peer#current()}.</li>
 * </ul>
 * Not API.
 */
public final class ServerCallGuard implements ServerInterceptor {
    private static final System.Logger LOG = System.getLogger(ServerCallGuard.class.getName());
    static final Metadata.Key<String> TIMEOUT = Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> ENCODING = Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> ACCEPT_ENCODING = Metadata.Key.of("grpc-accept-encoding",
            Metadata.ASCII_STRING_MARSHALLER);
    /** How long a close may wait for the rest of a unary or server-streaming call's request (see InboundMessages). */
    private static final long CLOSE_HOLD_MILLIS = 1000;
    /** Fires deadlines; a finished call's deadline is removed at once, not left queued. */
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private final InFlight inFlight;
    private final GrpcTelemetry telemetry;
    private final RequestChecks checks; // null when no request message is constrained
    private final SecureConnections secure;
    private final long defaultNanos;
    private final long maxNanos;
    private final TrustedProxies proxies;
    private final boolean rfc7239;

    /**
     * @param checks         the checks of constrained request messages, or {@code null} when there are none
     * @param secure         the listener's open TLS connections
     * @param defaultTimeout the deadline of unary and client-streaming calls that carry none; zero for none
     * @param maxTimeout     the longest deadline such a call may ask for; zero for no limit
     * @param proxies        the proxies whose forwarded metadata names the client ({@code server.trusted-proxies})
     * @param rfc7239        read {@code forwarded}, else {@code x-forwarded-for}
     */
    ServerCallGuard(InFlight inFlight, GrpcTelemetry telemetry, RequestChecks checks, SecureConnections secure,
                    Duration defaultTimeout, Duration maxTimeout, TrustedProxies proxies, boolean rfc7239) {
        this.proxies = proxies;
        this.rfc7239 = rfc7239;
        this.defaultNanos = defaultTimeout.toNanos();
        this.maxNanos = maxTimeout.toNanos();
        this.inFlight = inFlight;
        this.telemetry = telemetry;
        this.checks = checks;
        this.secure = secure;
    }

    /** Every value of a metadata key, in order (none: empty). */
    private static boolean moreThanOne(Iterable<String> values) {
        int n = 0;
        if (values != null) {
            for (String ignored : values) {
                if (++n > 1) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<String> values(Metadata headers, String key) {
        Iterable<String> all = headers.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
        if (all == null) {
            return List.of();
        }
        List<String> list = new ArrayList<>();
        all.forEach(list::add);
        return list;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (inFlight.draining()) {
            call.close(Status.UNAVAILABLE.withDescription("the service is shutting down; call another instance"),
                    new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        if (moreThanOne(headers.getAll(ENCODING))) {
            // Metadata.get reads the last value, Helidon's reader the first: one call, two encodings
            call.close(StatusMessages.encoded(Status.INVALID_ARGUMENT.withDescription("grpc-encoding is sent more"
                    + " than once")), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        String encoding = headers.get(ENCODING);
        if (!InboundMessages.supported(encoding)) {
            Metadata trailers = new Metadata();
            trailers.put(ACCEPT_ENCODING, InboundMessages.ACCEPTED);
            call.close(StatusMessages.encoded(Status.UNIMPLEMENTED.withDescription("grpc-encoding " + encoding
                    + " is not supported: send " + InboundMessages.ACCEPTED + " or identity")), trailers);
            return new ServerCall.Listener<>() {
            };
        }
        inFlight.enter();
        String timeout = headers.get(TIMEOUT);
        long nanos = timeout == null ? -1 : parseTimeout(timeout);
        boolean oneAnswer = call.getMethodDescriptor().getType().serverSendsOneMessage();
        if (nanos < 0 && defaultNanos > 0 && oneAnswer) {
            nanos = defaultNanos; // not for a streamed answer (Watch, subscriptions): it lives as its client wants
        }
        boolean capped = maxNanos > 0 && oneAnswer && nanos > maxNanos;
        if (capped) {
            nanos = maxNanos; // a client's 99999999H would switch the server's deadline off
        }
        SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        Peer peer = secure.peer();
        Context base = peer.authenticated() ? Context.current().withValue(CallPeer.KEY, peer) : Context.current();
        Context.CancellableContext ctx = nanos >= 0
                ? base.withDeadlineAfter(nanos, TimeUnit.NANOSECONDS, TIMER)
                : base.withCancellation();
        GrpcTelemetry.ServerCall traced = telemetry.enabled()
                ? telemetry.startServer(call.getMethodDescriptor().getFullMethodName(), headers, peer,
                ForwardedFilter.clientAddress(proxies, rfc7239, remote, key -> values(headers, key))) : null;
        RequestChecks.RequestCheck check = checks == null ? null
                : checks.forMethod(call.getMethodDescriptor().getFullMethodName());
        InboundMessages.Slot slot = call.getMethodDescriptor().getType().clientSendsOneMessage()
                ? InboundMessages.starting() : null;
        Guarded<Q, R> guarded = new Guarded<>(call, ctx, traced, check, slot);
        if (nanos >= 0) {
            long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
            ctx.addListener(c -> {
                if (c.getDeadline() != null && c.getDeadline().isExpired()) {
                    guarded.close(Status.DEADLINE_EXCEEDED.withDescription("the call did not finish within its deadline ("
                            + millis + " ms" + (capped ? ", grpc.max-timeout" : timeout == null ? ", grpc.default-timeout"
                            : ", grpc-timeout") + ")"),
                            new Metadata());
                }
            }, Runnable::run);
        }
        Context previous = ctx.attach();
        Scope scope = traced == null ? null : traced.context().makeCurrent();
        try {
            guarded.listener = next.startCall(guarded, headers);
        } catch (RuntimeException e) {
            guarded.close(Status.UNKNOWN.withCause(e), new Metadata());
            guarded.listener = new ServerCall.Listener<>() {
            };
        } finally {
            if (scope != null) {
                scope.close();
            }
            ctx.detach(previous);
        }
        InboundMessages.attach(guarded::refuse);
        ServerCall.Listener<Q> view = guarded.listenerView();
        ConnectionEnd end = ConnectionEnd.current(); // the call's stream is started on its connection's executor
        if (end != null) {
            Runnable stop = end.onEnd(() -> guarded.clientGone(view));
            guarded.stopWatchingEnd = stop;
            if (guarded.ended) {
                // the call ended while it started (an inner interceptor refused it: access rules, the concurrency
                // limit) and end() found nothing to unregister; left registered, every such call would stay reachable
                // from its connection until the connection ends — one connection refused call after call would grow it
                stop.run();
            }
        }
        return view;
    }

    /** The call wrapper; also builds the listener wrapper, sharing its state. */
    private final class Guarded<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private static final int OPEN = 0;
        private static final int CLOSED = 1;
        private final ServerCall<Q, R> call;
        private final Context.CancellableContext ctx;
        private final AtomicInteger state = new AtomicInteger(OPEN);
        private final AtomicInteger exited = new AtomicInteger();
        private final GrpcTelemetry.ServerCall traced; // null when telemetry is off
        private final RequestChecks.RequestCheck check; // null when the request message is not constrained
        private volatile Status closedWith;
        private volatile Status refusal; // a request message InboundMessages refused
        /** The call's connection ended while it was open: the call is cancelled, as by the client. */
        private volatile boolean gone;
        volatile Runnable stopWatchingEnd; // null: not on a connection Chassis follows
        /** Set by {@link #end()} before it reads {@link #stopWatchingEnd}: one of the two sees the other's write. */
        volatile boolean ended;
        private final InboundMessages.Slot slot; // null: the close goes out at once
        ServerCall.Listener<Q> listener;

        Guarded(ServerCall<Q, R> call, Context.CancellableContext ctx, GrpcTelemetry.ServerCall traced,
                RequestChecks.RequestCheck check, InboundMessages.Slot slot) {
            super(call);
            this.slot = slot;
            this.call = call;
            this.ctx = ctx;
            this.traced = traced;
            this.check = check;
        }

        @Override
        public void close(Status status, Metadata trailers) {
            if (!state.compareAndSet(OPEN, CLOSED)) {
                return;
            }
            try {
                Status answered = translate(status, call.getMethodDescriptor().getFullMethodName(),
                        traced == null ? null : traced.traceId());
                closedWith = answered;
                Status encoded = StatusMessages.encoded(answered);
                if (slot == null) {
                    super.close(encoded, trailers);
                } else if (slot.holdUnlessSent(() -> call.close(encoded, trailers))) {
                    // a call answered before its one request message is all in (refused as it starts, or past its
                    // deadline): the trailers wait for the request's END_STREAM, at most CLOSE_HOLD
                    TIMER.schedule(() -> Thread.startVirtualThread(slot::release), CLOSE_HOLD_MILLIS,
                            TimeUnit.MILLISECONDS);
                }
            } finally {
                end();
            }
        }

        /**
         * A request message was refused: the call ends with {@code status}, on a thread of its own (this runs on the
         * connection's reader thread, and closing runs the application's completion callbacks); the handler hears
         * no more of the request.
         */
        void refuse(Status status) {
            refusal = status;
            Thread.startVirtualThread(() -> close(status, new Metadata()));
        }

        @Override
        public void sendMessage(R message) {
            if (state.get() == OPEN) {
                super.sendMessage(message);
            }
        }

        /**
         * The call's connection ended before the call did, without the client resetting the stream (the TCP connection
         * dropped): Helidon 4.5.0 leaves such a call open for ever. It is cancelled here as a client's RST_STREAM would
         * cancel it — {@link #isCancelled()} turns true and the handler hears {@code onCancel}. Runs on the connection's
         * thread, which delivers no more messages.
         */
        void clientGone(ServerCall.Listener<Q> view) {
            if (state.get() == OPEN) {
                gone = true;
                view.onCancel();
            }
        }

        @Override
        public boolean isCancelled() {
            return gone || super.isCancelled();
        }

        private void end() {
            ended = true;
            Runnable stop = stopWatchingEnd;
            if (stop != null) {
                stop.run();
            }
            ctx.cancel(null);
            if (exited.compareAndSet(0, 1)) {
                inFlight.exit();
                if (traced != null) {
                    Status status = closedWith;
                    traced.end(status != null ? status : Status.CANCELLED.withDescription("cancelled by the client"));
                }
            }
        }

        ServerCall.Listener<Q> listenerView() {
            return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
                @Override
                public void onMessage(Q message) {
                    if (refusal != null) {
                        close(refusal, new Metadata());
                    } else if (state.get() == OPEN) {
                        run(() -> {
                            if (check != null) {
                                StatusRuntimeException invalid = check.reject(message).orElse(null);
                                if (invalid != null) {
                                    close(invalid.getStatus(), invalid.getTrailers());
                                    return;
                                }
                            }
                            super.onMessage(message);
                        }, true);
                    }
                }

                @Override
                public void onHalfClose() {
                    if (refusal != null) {
                        close(refusal, new Metadata());
                    } else if (state.get() == OPEN) {
                        run(super::onHalfClose, true);
                    }
                }

                @Override
                public void onReady() {
                    run(super::onReady, true);
                }

                @Override
                public void onComplete() {
                    run(super::onComplete, false);
                    end();
                }

                @Override
                public void onCancel() {
                    run(super::onCancel, false);
                    if (!gone && !call.isCancelled() && state.get() == OPEN) {
                        // Helidon cancels the listener, without closing the call, when it cannot read a request
                        // message: larger than grpc.max-message-size, or not a valid message
                        close(Status.RESOURCE_EXHAUSTED.withDescription("the request message could not be read:"
                                + " larger than grpc.max-message-size, or malformed"), new Metadata());
                    }
                    end();
                }
            };
        }

        /** Runs a listener callback in the call's context; a failure closes the call, or is logged. */
        private void run(Runnable callback, boolean closeOnFailure) {
            Context previous = ctx.attach();
            Scope scope = traced == null ? null : traced.context().makeCurrent();
            try {
                callback.run();
            } catch (RuntimeException e) {
                if (closeOnFailure) {
                    close(Status.UNKNOWN.withCause(e), new Metadata());
                } else {
                    LOG.log(Level.WARNING, "a gRPC completion or cancellation handler failed", e);
                }
            } finally {
                if (scope != null) {
                    scope.close();
                }
                ctx.detach(previous);
            }
        }
    }

    static Status translate(Status status, String method, String callTraceId) {
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
        String traceId = callTraceId != null ? callTraceId
                : Span.current().getSpanContext().isValid() ? Span.current().getSpanContext().getTraceId()
                : HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong())
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong() | 1L);
        LOG.log(Level.ERROR, "Unhandled exception in gRPC " + method + " (traceId=" + traceId + ")", cause);
        return Status.INTERNAL.withDescription("An unexpected error occurred. Quote traceId " + traceId
                + " when reporting it.");
    }

    /** {@code grpc-timeout}: 1 to 8 digits and a unit (H, M, S, m, u, n); -1 when malformed. */
    static long parseTimeout(String value) {
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

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "chassis-grpc-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        t.setRemoveOnCancelPolicy(true);
        return t;
    }
}
