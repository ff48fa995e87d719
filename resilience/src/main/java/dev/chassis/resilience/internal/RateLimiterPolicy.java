package dev.chassis.resilience.internal;

import java.time.Duration;

import dev.chassis.core.Problem;
import dev.chassis.core.spi.CallSite;
import dev.chassis.core.spi.Invocation;
import dev.chassis.resilience.CallRejectedException;
import dev.chassis.resilience.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;

/**
 * Allows at most a number of calls per period (Resilience4j rate limiter); a refused handler call answers 429
 * with {@code Retry-After}, a refused client call throws {@link CallRejectedException}. One per client target,
 * one per handler method. Not API.
 */
final class RateLimiterPolicy {
    private RateLimiterPolicy() {
    }

    /** {@code inner} behind a rate limiter when annotated or configured, else {@code inner} itself. */
    static Invocation apply(PolicySupport support, CallSite site, Policy p, Invocation inner) {
        String pre = p.prefix();
        RateLimiter rl = PolicySupport.sharedAnnotation(site, p, RateLimiter.class).orElse(null);
        if (!PolicySupport.enabled(p, rl != null, "rate-limiter", PolicySettings.limiterEnabled(pre))) {
            return inner;
        }
        Duration period = p.value(PolicySettings.period(pre), rl == null ? null : rl.period());
        int limit = p.value(PolicySettings.limit(pre), rl == null ? null : rl.limit());
        Duration timeout = p.value(PolicySettings.limiterTimeout(pre), rl == null ? null : rl.timeout());
        io.github.resilience4j.ratelimiter.RateLimiter limiter = support.shareable(site, "rate-limiter", () -> { // CHECKSTYLE:FQN-OK
            io.github.resilience4j.ratelimiter.RateLimiter l = io.github.resilience4j.ratelimiter.RateLimiter.of( // CHECKSTYLE:FQN-OK
                    PolicySupport.name(site), RateLimiterConfig.custom().limitForPeriod(limit).limitRefreshPeriod(period)
                            .timeoutDuration(timeout).writableStackTraceEnabled(false).build());
            support.metrics().watch(l);
            return l;
        });
        boolean client = site.kind() == CallSite.Kind.CLIENT;
        String retryAfter = PolicySupport.seconds(period);
        return PolicySupport.guarded(inner, limiter::executeCheckedSupplier, RequestNotPermitted.class,
                e -> client ? new CallRejectedException(site.target(), "rate limit reached")
                        : Problem.builder(429).detail("rate limit reached; try again later")
                                .header("Retry-After", retryAfter).build());
    }
}
