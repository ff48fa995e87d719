package dev.chassis.resilience.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.chassis.core.config.Setting;

/**
 * The configuration keys of the policies, the same under {@code clients.<target>.} and
 * {@code handlers.<class>.<method>.}. Not API.
 */
final class PolicySettings {
    enum WindowType { COUNT, TIME }

    static final String CLIENTS = "clients.*.";
    static final String HANDLERS = "handlers.*.*.";

    private PolicySettings() {
    }

    static Setting<Boolean> retryEnabled(String p) {
        return Setting.bool(p + "retry.enabled", null);
    }

    static Setting<Integer> maxAttempts(String p) {
        return Setting.integer(p + "retry.max-attempts", null).range(1, 10);
    }

    static Setting<Duration> backoff(String p) {
        return Setting.duration(p + "retry.backoff", null).min(1);
    }

    static Setting<Duration> maxBackoff(String p) {
        return Setting.duration(p + "retry.max-backoff", null).min(1);
    }

    static Setting<Double> multiplier(String p) {
        return Setting.decimal(p + "retry.multiplier", null, 1, 10);
    }

    static Setting<Double> jitter(String p) {
        return Setting.decimal(p + "retry.jitter", null, 0, 1);
    }

    static Setting<Double> budgetRatio(String p) {
        return Setting.decimal(p + "retry.budget.ratio", null, 0, 1);
    }

    static Setting<Integer> budgetMinPerSecond(String p) {
        return Setting.integer(p + "retry.budget.min-per-second", null).range(0, 1000);
    }

    static Setting<Boolean> breakerEnabled(String p) {
        return Setting.bool(p + "circuit-breaker.enabled", null);
    }

    static Setting<Integer> failureRate(String p) {
        return Setting.integer(p + "circuit-breaker.failure-rate-threshold", null).range(1, 100);
    }

    static Setting<WindowType> windowType(String p) {
        return Setting.oneOf(p + "circuit-breaker.window-type", WindowType.class, null);
    }

    static Setting<Integer> windowSize(String p) {
        return Setting.integer(p + "circuit-breaker.window-size", null).range(1, 10_000);
    }

    static Setting<Integer> minimumCalls(String p) {
        return Setting.integer(p + "circuit-breaker.minimum-calls", null).range(1, 10_000);
    }

    static Setting<Duration> waitInOpen(String p) {
        return Setting.duration(p + "circuit-breaker.wait-in-open", null).min(1);
    }

    static Setting<Integer> halfOpenCalls(String p) {
        return Setting.integer(p + "circuit-breaker.half-open-calls", null).range(1, 1000);
    }

    static Setting<Boolean> bulkheadEnabled(String p) {
        return Setting.bool(p + "bulkhead.enabled", null);
    }

    static Setting<Boolean> limiterEnabled(String p) {
        return Setting.bool(p + "rate-limiter.enabled", null);
    }

    static Setting<Integer> maxConcurrent(String p) {
        return Setting.integer(p + "bulkhead.max-concurrent", null).range(1, 10_000);
    }

    static Setting<Duration> maxWait(String p) {
        return Setting.duration(p + "bulkhead.max-wait", null);
    }

    static Setting<Integer> limit(String p) {
        return Setting.integer(p + "rate-limiter.limit", null).range(1, 1_000_000);
    }

    static Setting<Duration> period(String p) {
        return Setting.duration(p + "rate-limiter.period", null).min(1);
    }

    static Setting<Duration> limiterTimeout(String p) {
        return Setting.duration(p + "rate-limiter.timeout", null);
    }

    /** {@code 0ms} turns a time limit declared by annotation off. */
    static Setting<Duration> timeLimit(String p) {
        return Setting.duration(p + "time-limit", null);
    }

    /** The keys of one policy ({@code retry}, {@code circuit-breaker}...) under a prefix. */
    static List<Setting<?>> of(String policy, String p) {
        return switch (policy) {
            case "retry" -> p.equals(CLIENTS)
                    ? List.of(retryEnabled(p), maxAttempts(p), backoff(p), maxBackoff(p), multiplier(p), jitter(p),
                            budgetRatio(p), budgetMinPerSecond(p))
                    : List.of(retryEnabled(p), maxAttempts(p), backoff(p), maxBackoff(p), multiplier(p), jitter(p));
            case "circuit-breaker" -> List.of(breakerEnabled(p), failureRate(p), windowType(p), windowSize(p), minimumCalls(p),
                    waitInOpen(p), halfOpenCalls(p));
            case "bulkhead" -> List.of(bulkheadEnabled(p), maxConcurrent(p), maxWait(p));
            case "rate-limiter" -> List.of(limiterEnabled(p), limit(p), period(p), limiterTimeout(p));
            case "time-limit" -> List.of(timeLimit(p));
            default -> throw new IllegalArgumentException(policy);
        };
    }

    static final List<String> POLICIES = List.of("retry", "circuit-breaker", "bulkhead", "rate-limiter", "time-limit");

    /** Every key, for both prefixes, for start-up validation. */
    static List<Setting<?>> all() {
        List<Setting<?>> all = new ArrayList<>();
        for (String p : List.of(CLIENTS, HANDLERS)) {
            for (String policy : POLICIES) {
                all.addAll(of(policy, p));
            }
        }
        return all;
    }
}
