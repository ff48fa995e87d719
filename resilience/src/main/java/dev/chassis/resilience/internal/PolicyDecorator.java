package dev.chassis.resilience.internal;

import java.time.Clock;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import dev.chassis.core.config.Config;
import dev.chassis.core.spi.CallDecorator;
import dev.chassis.core.spi.CallSite;
import dev.chassis.core.spi.Invocation;
import dev.chassis.resilience.Bulkhead;
import dev.chassis.resilience.CircuitBreaker;
import dev.chassis.resilience.RateLimiter;

/**
 * Wraps each handler and client method with the Resilience4j policies its annotations and configuration
 * ask for, in Resilience4j's recommended order: Retry(CircuitBreaker(RateLimiter(TimeLimiter(Bulkhead(call))))).
 * Built once per method at start-up.
 *
 * <p>A client target has one circuit breaker, bulkhead, rate limiter and retry budget, shared by every
 * method that calls it; they are configured by {@code clients.<target>.*} and by annotations on the client
 * interface (an annotation for them on a client method is refused: it cannot configure a shared object).
 * Retries and time limits are per method. Handler policies are per method. Not API.
 */
final class PolicyDecorator implements CallDecorator {
    private final Config config;
    private final PolicySupport support;
    private final Set<String> handlerKeys = ConcurrentHashMap.newKeySet();
    private final Set<String> clientTargets = ConcurrentHashMap.newKeySet();

    PolicyDecorator(Config config, Clock clock, PolicyMetrics metrics) {
        this.config = config;
        this.support = new PolicySupport(clock, metrics);
    }

    /** Handler keys ({@code order-api.place}) and client targets seen so far, to find typos in configuration. */
    Set<String> handlerKeys() {
        return handlerKeys;
    }

    Set<String> clientTargets() {
        return clientTargets;
    }

    @Override
    public Invocation decorate(CallSite site, Invocation next) {
        Policy p = new Policy(site, config);
        (site.kind() == CallSite.Kind.CLIENT ? clientTargets : handlerKeys).add(site.key());
        Invocation inv = next;
        inv = BulkheadPolicy.apply(support, site, p, inv);
        inv = TimeLimitPolicy.apply(site, p, inv);
        inv = RateLimiterPolicy.apply(support, site, p, inv);
        inv = CircuitBreakerPolicy.apply(support, site, p, inv);
        inv = RetryPolicy.apply(support, site, p, inv);
        return inv;
    }

    /** 429 behind a rate limiter, 503 behind a bulkhead or a circuit breaker. */
    @Override
    public Set<Integer> statuses(CallSite site) {
        Policy p = new Policy(site, config);
        String pre = p.prefix();
        Set<Integer> statuses = new TreeSet<>();
        if (PolicySupport.enabled(p, PolicySupport.sharedAnnotation(site, p, RateLimiter.class).isPresent(), "rate-limiter",
                PolicySettings.limiterEnabled(pre))) {
            statuses.add(429);
        }
        if (PolicySupport.enabled(p, PolicySupport.sharedAnnotation(site, p, Bulkhead.class).isPresent(), "bulkhead",
                PolicySettings.bulkheadEnabled(pre))
                || PolicySupport.enabled(p, PolicySupport.sharedAnnotation(site, p, CircuitBreaker.class).isPresent(),
                        "circuit-breaker", PolicySettings.breakerEnabled(pre))) {
            statuses.add(503);
        }
        return statuses;
    }
}
