package dev.chassis.resilience.internal;

import java.time.Duration;

import dev.chassis.core.Problem;
import dev.chassis.core.spi.CallSite;
import dev.chassis.core.spi.Invocation;
import dev.chassis.resilience.Bulkhead;
import dev.chassis.resilience.CallRejectedException;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;

/**
 * Caps the calls that run at once (Resilience4j semaphore bulkhead); a refused handler call answers 503, a
 * refused client call throws {@link CallRejectedException}. One per client target, one per handler method. Not API.
 */
final class BulkheadPolicy {
    private BulkheadPolicy() {
    }

    /** {@code inner} behind a bulkhead when annotated or configured, else {@code inner} itself. */
    static Invocation apply(PolicySupport support, CallSite site, Policy p, Invocation inner) {
        String pre = p.prefix();
        Bulkhead bh = PolicySupport.sharedAnnotation(site, p, Bulkhead.class).orElse(null);
        if (!PolicySupport.enabled(p, bh != null, "bulkhead", PolicySettings.bulkheadEnabled(pre))) {
            return inner;
        }
        int max = p.value(PolicySettings.maxConcurrent(pre), bh == null ? null : bh.maxConcurrent());
        Duration wait = p.value(PolicySettings.maxWait(pre), bh == null ? null : bh.maxWait());
        io.github.resilience4j.bulkhead.Bulkhead bulkhead = support.shareable(site, "bulkhead", () -> { // CHECKSTYLE:FQN-OK
            io.github.resilience4j.bulkhead.Bulkhead b = io.github.resilience4j.bulkhead.Bulkhead.of( // CHECKSTYLE:FQN-OK
                    PolicySupport.name(site), BulkheadConfig.custom().maxConcurrentCalls(max).maxWaitDuration(wait)
                            .writableStackTraceEnabled(false).build());
            support.metrics().watch(b);
            return b;
        });
        boolean client = site.kind() == CallSite.Kind.CLIENT;
        return PolicySupport.guarded(inner, bulkhead::executeCheckedSupplier, BulkheadFullException.class,
                e -> client ? new CallRejectedException(site.target(), "bulkhead full")
                        : Problem.unavailable("too many requests in progress; try again shortly", 1));
    }
}
