package dev.chassis.tests.http;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.chassis.core.http.Body;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.Post;
import dev.chassis.core.http.QueryParam;
import io.grpc.Context;
import io.grpc.Deadline;

/** Handlers that answer at once, wait until released, or sleep, and count what happened to them. */
@Path("/limits")
public final class LimitsApi {
    /** Released by the test; {@code hold} waits for a permit (at most a minute). */
    final Semaphore gate = new Semaphore(0);
    final AtomicInteger entered = new AtomicInteger();
    final AtomicInteger interrupted = new AtomicInteger();

    @Get("/ping")
    public String ping() {
        return "pong";
    }

    @Get("/hold")
    public String hold() throws InterruptedException {
        entered.incrementAndGet();
        return gate.tryAcquire(1, TimeUnit.MINUTES) ? "released" : "not released";
    }

    @Get("/sleep")
    public String sleep(@QueryParam long ms) throws InterruptedException {
        entered.incrementAndGet();
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            interrupted.incrementAndGet();
            throw e;
        }
        return "slept";
    }

    @Post("/echo")
    public String echo(@Body String body) {
        return "read " + body.length();
    }

    @Post("/slow-echo")
    public String slowEcho(@Body String body, @QueryParam long ms) throws InterruptedException {
        Thread.sleep(ms);
        return "read " + body.length();
    }

    /** What is left of the request's deadline, as Chassis clients and channels see it; -1 when there is none. */
    @Get("/deadline")
    public long deadline() {
        Deadline d = Context.current().getDeadline();
        return d == null ? -1 : d.timeRemaining(TimeUnit.MILLISECONDS);
    }
}
