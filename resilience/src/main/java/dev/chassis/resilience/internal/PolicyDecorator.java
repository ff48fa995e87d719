package dev.chassis.resilience.internal;

import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.chassis.core.config.Config;
import dev.chassis.core.spi.CallDecorator;
import dev.chassis.core.spi.CallSite;
import dev.chassis.core.spi.Invocation;

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
}
