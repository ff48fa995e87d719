package dev.chassis.resilience.internal;

import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;

/**
 * The policies' state in the service's metrics, named after Resilience4j's own Micrometer binding
 * ({@code resilience4j_circuitbreaker_state{name, state}}, {@code resilience4j_retry_calls_total{name, kind}},
 * ...): circuit state and calls, retry outcomes, free bulkhead places and rate-limiter permits. Unlike that
 * binding, circuit-breaker calls are one counter whose {@code kind} includes {@code not_permitted}, not a
 * timer and a second counter. Recorded through the OpenTelemetry API, so they reach
 * {@code /metrics} when {@code chassis-observability} is present and cost nothing otherwise. Not API.
 */
final class PolicyMetrics {
    private static final AttributeKey<String> NAME = AttributeKey.stringKey("name");
    private static final AttributeKey<String> STATE = AttributeKey.stringKey("state");
    private static final AttributeKey<String> KIND = AttributeKey.stringKey("kind");
    private static final CircuitBreaker.State[] STATES = {CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN,
            CircuitBreaker.State.HALF_OPEN, CircuitBreaker.State.FORCED_OPEN, CircuitBreaker.State.DISABLED,
            CircuitBreaker.State.METRICS_ONLY};

    private final Queue<CircuitBreaker> breakers = new ConcurrentLinkedQueue<>();
    private final Queue<Bulkhead> bulkheads = new ConcurrentLinkedQueue<>();
    private final Queue<RateLimiter> limiters = new ConcurrentLinkedQueue<>();
    private final Map<String, RetryBudget> budgets = new ConcurrentHashMap<>();
    private final Map<String, KeyedRateLimiter> perClient = new ConcurrentHashMap<>();
    private final LongCounter breakerCalls;
    private final LongCounter retryCalls;

    PolicyMetrics(Meter meter) {
        meter.gaugeBuilder("resilience4j.circuitbreaker.state").ofLongs()
                .setDescription("The circuit breaker's state: 1 for the current one, 0 for the others.")
                .buildWithCallback(m -> breakers.forEach(b -> {
                    for (CircuitBreaker.State s : STATES) {
                        m.record(b.getState() == s ? 1 : 0, Attributes.of(NAME, b.getName(), STATE,
                                s.name().toLowerCase(Locale.ROOT)));
                    }
                }));
        breakerCalls = meter.counterBuilder("resilience4j.circuitbreaker.calls").setUnit("{call}")
                .setDescription("Calls through a circuit breaker, by outcome (successful, failed, ignored, not_permitted).")
                .build();
        retryCalls = meter.counterBuilder("resilience4j.retry.calls").setUnit("{call}")
                .setDescription("Calls through a retry, by outcome (successful_without_retry, successful_with_retry,"
                        + " failed_without_retry, failed_with_retry).")
                .build();
        meter.gaugeBuilder("resilience4j.bulkhead.available.concurrent.calls").ofLongs()
                .setDescription("Places left in a bulkhead.")
                .buildWithCallback(m -> bulkheads.forEach(b -> m.record(b.getMetrics().getAvailableConcurrentCalls(),
                        Attributes.of(NAME, b.getName()))));
        meter.gaugeBuilder("chassis.client.retry.budget.remaining").ofLongs().setUnit("{retry}")
                .setDescription("Retries a client target's retry budget allows now (over its last ten seconds).")
                .buildWithCallback(m -> budgets.forEach((target, b) -> m.record(b.remaining(),
                        Attributes.of(NAME, target))));
        meter.gaugeBuilder("resilience4j.ratelimiter.available.permissions").ofLongs()
                .setDescription("Permits left in the rate limiter's current period.")
                .buildWithCallback(m -> limiters.forEach(l -> m.record(l.getMetrics().getAvailablePermissions(),
                        Attributes.of(NAME, l.getName()))));
        meter.gaugeBuilder("chassis.ratelimiter.clients").ofLongs().setUnit("{client}")
                .setDescription("Clients a per-client rate limiter tracks now (at most its rate-limiter.max-clients).")
                .buildWithCallback(m -> perClient.forEach((name, l) -> m.record(l.tracked(), Attributes.of(NAME, name))));
    }

    void watch(CircuitBreaker breaker) {
        breakers.add(breaker);
        Attributes success = Attributes.of(NAME, breaker.getName(), KIND, "successful");
        Attributes failed = Attributes.of(NAME, breaker.getName(), KIND, "failed");
        Attributes ignored = Attributes.of(NAME, breaker.getName(), KIND, "ignored");
        Attributes refused = Attributes.of(NAME, breaker.getName(), KIND, "not_permitted");
        breaker.getEventPublisher()
                .onSuccess(e -> breakerCalls.add(1, success))
                .onError(e -> breakerCalls.add(1, failed))
                .onIgnoredError(e -> breakerCalls.add(1, ignored))
                .onCallNotPermitted(e -> breakerCalls.add(1, refused));
    }

    void watch(Bulkhead bulkhead) {
        bulkheads.add(bulkhead);
    }

    void watch(RateLimiter limiter) {
        limiters.add(limiter);
    }

    /** A per-client rate limiter, shown as {@code chassis.ratelimiter.clients{name=handler:<key>}}. */
    void watch(String name, KeyedRateLimiter limiter) {
        perClient.put(name, limiter);
    }

    /** A client target's retry budget, shown as {@code chassis.client.retry.budget.remaining{name=<target>}}. */
    void watch(String target, RetryBudget budget) {
        budgets.put(target, budget);
    }

    /** One call through a retry ended: {@code attempts} made, and whether the last one succeeded. */
    void retried(String name, int attempts, boolean succeeded) {
        String kind = (succeeded ? "successful_" : "failed_") + (attempts > 1 ? "with_retry" : "without_retry");
        retryCalls.add(1, Attributes.of(NAME, name, KIND, kind));
    }
}
