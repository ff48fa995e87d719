package dev.chassis.resilience.internal;

import java.time.Duration;

import dev.chassis.core.Caller;
import dev.chassis.core.Problem;
import dev.chassis.core.http.BindingException;
import dev.chassis.core.http.Origin;
import dev.chassis.core.spi.Call;
import dev.chassis.core.spi.CallSite;
import dev.chassis.core.spi.Invocation;
import dev.chassis.resilience.CallRejectedException;
import dev.chassis.resilience.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;

/**
 * Allows at most a number of calls per period (Resilience4j rate limiter); a refused handler call answers 429
 * with {@code Retry-After}, a refused client call throws {@link CallRejectedException}. One per client target,
 * one per handler method — or, on a handler with {@code per} set, one per client ({@link KeyedRateLimiter}).
 * Not API.
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
        boolean client = site.kind() == CallSite.Kind.CLIENT;
        RateLimiter.Per per = client ? RateLimiter.Per.ALL
                : p.value(PolicySettings.limiterPer(pre), rl == null ? null : rl.per());
        if (client && rl != null && rl.per() != RateLimiter.Per.ALL) {
            throw new BindingException(site.describe() + ": @RateLimiter(per = " + rl.per() + ") limits the callers of a"
                    + " handler, but this is a client: its calls have no caller to tell apart. Fix: remove per, or put"
                    + " the limit on the handler");
        }
        if (per != RateLimiter.Per.ALL) {
            if (!timeout.isZero()) {
                throw new BindingException(site.describe() + ": a per-client rate limit (per = " + per + ") refuses at"
                        + " once, but a timeout of " + timeout + " is set. Fix: remove the timeout (" + pre
                        + "rate-limiter.timeout), or limit all callers together");
            }
            return perClient(support, site, pre, p, limit, period, per, inner);
        }
        io.github.resilience4j.ratelimiter.RateLimiter limiter = support.shareable(site, "rate-limiter", () -> { // CHECKSTYLE:FQN-OK
            io.github.resilience4j.ratelimiter.RateLimiter l = io.github.resilience4j.ratelimiter.RateLimiter.of( // CHECKSTYLE:FQN-OK
                    PolicySupport.name(site), RateLimiterConfig.custom().limitForPeriod(limit).limitRefreshPeriod(period)
                            .timeoutDuration(timeout).writableStackTraceEnabled(false).build());
            support.metrics().watch(l);
            return l;
        });
        String retryAfter = PolicySupport.seconds(period);
        return PolicySupport.guarded(inner, limiter::executeCheckedSupplier, RequestNotPermitted.class,
                e -> client ? new CallRejectedException(site.target(), "rate limit reached")
                        : Problem.builder(429).detail("rate limit reached; try again later")
                                .header("Retry-After", retryAfter).build());
    }

    private static Invocation perClient(PolicySupport support, CallSite site, String pre, Policy p, int limit,
                                        Duration period, RateLimiter.Per per, Invocation inner) {
        int maxClients = p.value(PolicySettings.limiterMaxClients(pre), null);
        KeyedRateLimiter limiter = new KeyedRateLimiter(PolicySupport.name(site), limit, period, maxClients,
                System::nanoTime);
        support.metrics().watch(PolicySupport.name(site), limiter);
        return call -> {
            long wait = limiter.acquire(key(call, per));
            if (wait > 0) {
                throw Problem.builder(429).detail("rate limit reached for this client; try again later")
                        .header("Retry-After", PolicySupport.seconds(Duration.ofNanos(wait))).build();
            }
            return inner.invoke(call);
        };
    }

    /** Whom a call counts against: its client address, or its authenticated caller (else its address). */
    private static String key(Call call, RateLimiter.Per per) {
        if (per == RateLimiter.Per.CALLER) {
            Caller caller = Caller.current();
            if (caller.authenticated()) {
                // a subject is unique per issuer only; the separator cannot occur in an issuer URL
                return "caller " + caller.issuer().orElseThrow() + " " + caller.subject().orElseThrow();
            }
        }
        return call.origin().map(Origin::clientAddress).orElse("");
    }
}
