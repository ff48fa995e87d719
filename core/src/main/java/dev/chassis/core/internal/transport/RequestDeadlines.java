package dev.chassis.core.internal.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.chassis.core.Problem;
import io.grpc.Context;
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
 * <li>{@code server.body-timeout}: a request body not read to its end this long after the request began (a slow
 * POST) interrupts the handler's thread, which frees it; HTTP/2 answers 408 on the stream, HTTP/1.1 closes the
 * connection (the interrupted read closes the socket).</li>
 * </ul>
 * The interrupt is delivered only while the request is in the filter chain, and a fired one is cleared before the
 * thread goes back to Helidon; the error handler answers with {@link #timedOut()} whatever the interrupted handler
 * threw. Not API.
 */
public final class RequestDeadlines implements Filter {
    private static final DeadlineTimer TIMER = DeadlineTimer.get();
    private static final Context.Key<Watch> WATCH = Context.key("chassis-request-deadlines");
    private static final int RUNNING = 0;
    private static final int REQUEST_TIMED_OUT = 1;
    private static final int BODY_TIMED_OUT = 2;
    private static final int DONE = 3;

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
     * The answer of the current request when one of its deadlines passed (503, or 408 for its body), else null: what
     * the error handler answers whatever the interrupted handler threw, and what replaces the late answer of a handler
     * that ignored its interrupt.
     */
    public static Problem timedOut() {
        Watch w = WATCH.get();
        if (w == null) {
            return null;
        }
        int state = w.state();
        return state == BODY_TIMED_OUT ? Problem.builder(408).detail("the request body was not read within"
                + " server.body-timeout (" + TimeUnit.NANOSECONDS.toMillis(w.bodyNanos) + " ms)").build()
                : state == REQUEST_TIMED_OUT
                ? Problem.unavailable("the request did not finish within server.request-timeout; try again", 1) : null;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (requestNanos == 0 && bodyNanos == 0) {
            chain.proceed();
            return;
        }
        Watch watch = new Watch(Thread.currentThread(), bodyNanos);
        Context base = Context.current().withValue(WATCH, watch);
        Context.CancellableContext ctx = requestNanos > 0
                ? base.withDeadlineAfter(requestNanos, TimeUnit.NANOSECONDS, TIMER)
                : base.withCancellation();
        ctx.addListener(c -> {
            if (c.getDeadline() != null && c.getDeadline().isExpired()) {
                watch.fire(REQUEST_TIMED_OUT);
            }
        }, Runnable::run);
        ScheduledFuture<?> body = bodyNanos > 0 && req.content().hasEntity() ? TIMER.schedule(() -> {
            if (!req.content().consumed()) {
                watch.fire(BODY_TIMED_OUT);
            }
        }, bodyNanos, TimeUnit.NANOSECONDS) : null;
        Context previous = ctx.attach();
        try {
            chain.proceed();
        } finally {
            watch.done();
            ctx.detach(previous);
            ctx.cancel(null);
            if (body != null) {
                body.cancel(false);
            }
        }
    }

    /**
     * Who is interrupted, and whether it may still be. The timer and the request's end race for the state with one
     * compare-and-set (no lock to allocate and take on every request): when the timer wins, the request's end waits
     * for the interrupt to be delivered before it clears it, so that no interrupt outlives the request.
     */
    private static final class Watch {
        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Watch.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private volatile int state = RUNNING;
        private final Thread thread;
        private final long bodyNanos;
        /** Set once a fired interrupt was delivered. */
        private volatile boolean delivered;

        Watch(Thread thread, long bodyNanos) {
            this.thread = thread;
            this.bodyNanos = bodyNanos;
        }

        /** Why the request was interrupted, or {@link #RUNNING} / {@link #DONE} when it was not. */
        int state() {
            return state;
        }

        void fire(int why) {
            if (STATE.compareAndSet(this, RUNNING, why)) {
                thread.interrupt();
                delivered = true;
            }
        }

        /** The request leaves the chain: no interrupt after this, and a fired one is cleared. */
        void done() {
            if (STATE.compareAndSet(this, RUNNING, DONE)) {
                return;
            }
            while (!delivered) { // the timer's thread is between its compare-and-set and the interrupt: a few instructions
                Thread.onSpinWait();
            }
            Thread.interrupted();
        }
    }
}
