package dev.chassis.resilience.internal;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeoutException;

import dev.chassis.core.Problem;
import dev.chassis.core.client.ClientTimeoutException;
import dev.chassis.core.internal.shared.CurrentCaller;
import dev.chassis.core.spi.CallSite;
import dev.chassis.core.spi.Invocation;
import dev.chassis.resilience.TimeLimit;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;

/**
 * Gives up on a call that takes longer than its limit (Resilience4j time limiter): the call runs on its own
 * virtual thread, with the caller, deadline and trace of the thread that made it, and is interrupted. A handler answers 503; a client throws
 * {@link ClientTimeoutException}. Per method. Not API.
 */
final class TimeLimitPolicy {
    private static final ThreadFactory TIME_LIMITED = Thread.ofVirtual().name("time-limited-", 0).factory();

    private TimeLimitPolicy() {
    }

    /** {@code inner} under a time limit when one is annotated or configured (and not 0), else {@code inner} itself. */
    static Invocation apply(CallSite site, Policy p, Invocation inner) {
        TimeLimit tl = p.annotation(TimeLimit.class).orElse(null);
        Duration limit = p.value(PolicySettings.timeLimit(p.prefix()), tl == null ? null : tl.value());
        if (limit == null || limit.isZero()) {
            return inner;
        }
        boolean client = site.kind() == CallSite.Kind.CLIENT;
        TimeLimiter limiter = TimeLimiter.of(PolicySupport.name(site),
                TimeLimiterConfig.custom().timeoutDuration(limit).cancelRunningFuture(true).build());
        return call -> {
            // the call's caller, deadline and trace go with it to the thread that runs it
            FutureTask<Object> task = new FutureTask<>(CurrentCaller.carried(() -> inner.invoke(call)));
            try {
                return limiter.executeFutureSupplier(() -> {
                    TIME_LIMITED.newThread(task).start();
                    return task;
                });
            } catch (TimeoutException e) {
                throw client ? new ClientTimeoutException(site.target(), site.describe() + " took longer than " + limit, e)
                        : Problem.unavailable("the request took longer than " + limit.toMillis() + " ms", 1);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            } catch (InterruptedException e) {
                task.cancel(true); // we are being stopped: stop the work we started too
                Thread.currentThread().interrupt();
                throw client ? new ClientTimeoutException(site.target(), site.describe() + " was interrupted", e)
                        : Problem.unavailable("the request was interrupted", 1);
            }
        };
    }
}
