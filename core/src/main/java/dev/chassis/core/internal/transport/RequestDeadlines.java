package dev.chassis.core.internal.transport;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.chassis.core.Problem;
import dev.chassis.core.internal.shared.Interrupter;
import io.grpc.Context;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * The deadlines of an HTTP request, on HTTP/1.1 and HTTP/2 alike:
 * <ul>
 * <li>{@code server.request-timeout}: the request runs in a cancellable gRPC {@link Context} with this deadline, so
 * the calls its handler makes through Chassis clients and channels get what is left of it and are cancelled with it;
 * when it passes, the handler's thread is interrupted and the request is answered 503 (the service was too slow:
 * overloaded, not a downstream's deadline, which is 504).</li>
 * <li>{@code server.body-timeout}: a request body not read to its end (or its declared length) this long after the
 * request began (a slow POST) interrupts the handler's thread, which frees it, and fails its read; HTTP/2 answers 408
 * on the stream, HTTP/1.1 closes the connection (the interrupted read closes the socket).</li>
 * <li>An HTTP/2 connection that ends while a request on it has not read its body to the end or to its declared length
 * (the client hung up) interrupts the handler's thread too ({@link ConnectionEnd}: Helidon 4.5.0 would leave it
 * waiting for bytes that cannot come), and the request counts as a 400, as an HTTP/1.1 body cut short does. Whatever
 * the two settings.</li>
 * </ul>
 * The interrupt is delivered only while the request is in the filter chain, and a fired one is cleared before the
 * thread goes back to Helidon; the error handler answers with {@link #finish()} whatever the interrupted handler
 * threw. Not API.
 */
public final class RequestDeadlines implements Filter {
    private static final DeadlineTimer TIMER = DeadlineTimer.get();
    private static final Context.Key<Watch> WATCH = Context.key("chassis-request-deadlines");
    private static final int REQUEST_TIMED_OUT = 1;
    private static final int BODY_TIMED_OUT = 2;
    private static final int CLIENT_GONE = 3;

    private final long requestNanos;
    private final long bodyNanos;

    /**
     * @param requestTimeout how long a request may take; zero for no limit
     * @param bodyTimeout    how long its body may take to be read; zero for no limit
     */
    public RequestDeadlines(Duration requestTimeout, Duration bodyTimeout) {
        this.requestNanos = requestTimeout.toNanos();
        this.bodyNanos = bodyTimeout.toNanos();
    }

    /**
     * Ends the current request's deadlines before its answer is written, and says what to answer when one of them
     * passed: 503, or 408 for its body (400 when its HTTP/2 connection ended before the body did); else null. What the
     * error handler answers whatever the interrupted handler threw, and what replaces the late answer of a handler that
     * ignored its interrupt. From this call on no deadline interrupts the request's thread, and an interrupt one
     * delivered is cleared: the answer's own write must not find it set (a blocked socket write on a virtual thread that
     * is interrupted closes the connection), and the deadline covers the handler, not the writing of its answer.
     */
    public static Problem finish() {
        Watch w = WATCH.get();
        if (w == null) {
            return null;
        }
        w.done();
        int state = w.state();
        if (state == CLIENT_GONE) {
            return w.bodyEnded;
        }
        return state == BODY_TIMED_OUT ? w.slowBody()
                : state == REQUEST_TIMED_OUT
                ? Problem.unavailable("the request did not finish within server.request-timeout; try again", 1) : null;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        ConnectionEnd end = ConnectionEnd.current(); // null on HTTP/1.1
        Body body = bodyNanos > 0 || end != null ? Body.of(req, end != null) : null;
        if (requestNanos == 0 && body == null) {
            chain.proceed();
            return;
        }
        Watch watch = new Watch(Thread.currentThread(), bodyNanos);
        if (body != null) {
            body.watch = watch;
        }
        Context base = Context.current().withValue(WATCH, watch);
        // the watch schedules the context's deadline on the timer, and hears it pass (DeadlineTimer.Expiry)
        Context.CancellableContext ctx = requestNanos > 0
                ? base.withDeadlineAfter(requestNanos, TimeUnit.NANOSECONDS, watch)
                : base.withCancellation();
        if (requestNanos > 0 && !watch.scheduled()) {
            // gRPC scheduled nothing: the context took an earlier deadline from its parent, or was born expired
            ctx.addListener(c -> {
                if (c.getDeadline() != null && c.getDeadline().isExpired()) {
                    watch.fire(REQUEST_TIMED_OUT);
                }
            }, Runnable::run);
        }
        ScheduledFuture<?> slowBody = body != null && bodyNanos > 0 ? TIMER.schedule(() -> {
            if (!body.complete) {
                watch.fire(BODY_TIMED_OUT);
            }
        }, bodyNanos, TimeUnit.NANOSECONDS) : null;
        Runnable stopWatchingEnd = body != null && end != null ? end.onEnd(() -> {
            if (!body.complete) {
                watch.bodyEnded = HangUps.bodyEnded(req);
                watch.fire(CLIENT_GONE);
            }
        }) : null;
        Context previous = ctx.attach();
        try {
            chain.proceed();
        } finally {
            watch.done();
            ctx.detach(previous);
            ctx.cancel(null);
            if (slowBody != null) {
                slowBody.cancel(false);
            }
            if (stopWatchingEnd != null) {
                stopWatchingEnd.run();
            }
        }
    }

    /**
     * A request's body as its handler reads it. It is complete once a read reached its end, or its declared length:
     * the deadlines then leave the handler alone, whether or not it reads on to the end of the stream. A read that the
     * body deadline or the end of the connection interrupted fails with that problem (408, 400): Helidon's HTTP/2 reader
     * would end the body there, and the handler would go on with part of it.
     */
    private static final class Body {
        private final long declared; // -1 when the length is not declared
        private long read; // by the handler's thread only
        volatile boolean complete;
        volatile Watch watch;

        private Body(long declared) {
            this.declared = declared;
        }

        /**
         * The body of a request that has one, followed from its first read on; null for a request without one. The
         * stream filter is set before the request's entity is first asked for, which is when Helidon takes it.
         */
        static Body of(RoutingRequest req, boolean http2) {
            long declared = req.headers().contentLength().orElse(-1);
            if (!http2 && declared <= 0 && !req.headers().contains(HeaderNames.TRANSFER_ENCODING)) {
                return null; // HTTP/1.1 has a body only with one of the two (a GET, on the hot path)
            }
            Body body = new Body(declared);
            req.streamFilter(body::follow);
            return req.content().hasEntity() ? body : null;
        }

        private InputStream follow(InputStream in) {
            return new FilterInputStream(in) {
                private final byte[] one = new byte[1]; // read by the handler's thread only

                @Override
                public int read() throws IOException {
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n;
                    try {
                        n = super.read(b, off, len);
                    } catch (IOException | RuntimeException e) {
                        Problem p = cutShort(); // an interrupted HTTP/1.1 read fails; say why
                        if (p != null) {
                            throw p;
                        }
                        throw e;
                    }
                    if (n < 0) {
                        if (!complete) {
                            Problem p = cutShort();
                            if (p != null) {
                                throw p;
                            }
                        }
                        complete = true;
                    } else {
                        read += n;
                        if (declared >= 0 && read >= declared) {
                            complete = true;
                        }
                    }
                    return n;
                }
            };
        }

        /** The problem of a deadline or a hang-up that interrupted the read, or null. */
        private Problem cutShort() {
            Watch w = watch;
            int state = w == null ? 0 : w.state();
            return state == CLIENT_GONE ? w.bodyEnded : state == BODY_TIMED_OUT ? w.slowBody() : null;
        }
    }

    /**
     * Who is interrupted, and why: the timer and the request's end race for it ({@link Interrupter}). Also the
     * scheduler of the request's context: its deadline passing interrupts the request.
     */
    private static final class Watch extends DeadlineTimer.Expiry {
        private final Interrupter interrupter;
        private final long bodyNanos;
        /** The answer when the connection ended before the body did; set before that interrupt. */
        volatile Problem bodyEnded;

        Watch(Thread thread, long bodyNanos) {
            this.interrupter = new Interrupter(thread);
            this.bodyNanos = bodyNanos;
        }

        Problem slowBody() {
            return Problem.builder(408).detail("the request body was not read within server.body-timeout ("
                    + TimeUnit.NANOSECONDS.toMillis(bodyNanos) + " ms)").build();
        }

        /** Why the request was interrupted ({@link #REQUEST_TIMED_OUT}, {@link #BODY_TIMED_OUT}), or 0. */
        int state() {
            return interrupter.reason();
        }

        void fire(int why) {
            interrupter.interrupt(why);
        }

        @Override
        protected void expired() {
            fire(REQUEST_TIMED_OUT);
        }

        /** The request leaves the chain: no interrupt after this, and a fired one is cleared. */
        void done() {
            interrupter.disarm();
        }
    }
}
