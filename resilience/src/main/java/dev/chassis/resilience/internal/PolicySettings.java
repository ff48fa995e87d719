package dev.chassis.resilience.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.chassis.core.config.Setting;
import dev.chassis.resilience.Bulkhead;
import dev.chassis.resilience.CircuitBreaker;
import dev.chassis.resilience.RateLimiter;
import dev.chassis.resilience.Retry;

/**
 * The configuration keys of the policies, the same under {@code clients.<target>.} and
 * {@code handlers.<class>.<method>.}. Each key's default is the one source of that default: the
 * annotations' defaults are the same constants. A value comes from configuration, else the annotation,
 * else the key's default. Not API.
 */
final class PolicySettings {
    static final String CLIENTS = "clients.*.";
    static final String HANDLERS = "handlers.*.*.";

    static final double DEFAULT_BUDGET_RATIO = 0.2;
    static final int DEFAULT_BUDGET_MIN_PER_SECOND = 10;
    static final int DEFAULT_LIMIT = 100;
    static final int DEFAULT_MAX_CLIENTS = 10_000;

    private PolicySettings() {
    }

    /** The default of every client target's {@code retry.mesh}: whether a service mesh retries the calls. */
    static final Setting<Boolean> MESH_RETRIES = Setting.bool("resilience.mesh-retries", false)
            .describedAs("true: a service mesh (Istio, Linkerd, Kuma) retries every client call, so clients do not —"
                    + " no retries, no retry budget; deadlines still propagate. clients.<target>.retry.mesh overrides it"
                    + " per target");

    static Setting<Boolean> retryMesh(String p) {
        return Setting.bool(p + "retry.mesh", null).describedAs("true: the mesh retries calls to this target, so the"
                + " client does not (no retries, no retry budget); false: the client retries; unset:"
                + " resilience.mesh-retries");
    }

    static Setting<Boolean> retryEnabled(String p) {
        return Setting.bool(p + "retry.enabled", null).describedAs(p.equals(CLIENTS)
                ? "false turns off the retry every client has by default"
                : "retry the handler; on when @Retry or a retry key is present, unless false");
    }

    static Setting<Integer> maxAttempts(String p) {
        return Setting.integer(p + "retry.max-attempts", Retry.DEFAULT_MAX_ATTEMPTS).range(1, 10)
                .describedAs("attempts in all, the first included; 1 turns retries off");
    }

    static Setting<Duration> backoff(String p) {
        return Setting.duration(p + "retry.backoff", null).min(1).withDefault(Retry.DEFAULT_BACKOFF)
                .describedAs("the wait before the first retry");
    }

    static Setting<Duration> maxBackoff(String p) {
        return Setting.duration(p + "retry.max-backoff", null).min(1).withDefault(Retry.DEFAULT_MAX_BACKOFF)
                .describedAs("the longest wait between attempts");
    }

    static Setting<Double> multiplier(String p) {
        return Setting.decimal(p + "retry.multiplier", Retry.DEFAULT_MULTIPLIER, 1, 10)
                .describedAs("how much each wait grows");
    }

    static Setting<Double> jitter(String p) {
        return Setting.decimal(p + "retry.jitter", Retry.DEFAULT_JITTER, 0, 1)
                .describedAs("randomisation of each wait, 0 (none) to 1 (±100%)");
    }

    static Setting<Double> budgetRatio(String p) {
        return Setting.decimal(p + "retry.budget.ratio", DEFAULT_BUDGET_RATIO, 0, 1)
                .describedAs("retries allowed as a share of the target's requests");
    }

    static Setting<Integer> budgetMinPerSecond(String p) {
        return Setting.integer(p + "retry.budget.min-per-second", DEFAULT_BUDGET_MIN_PER_SECOND).range(0, 1000)
                .describedAs("retries per second allowed to the target whatever the ratio");
    }

    static Setting<Boolean> breakerEnabled(String p) {
        return Setting.bool(p + "circuit-breaker.enabled", null)
                .describedAs("on when @CircuitBreaker or a circuit-breaker key is present, unless false");
    }

    static Setting<Integer> failureRate(String p) {
        return Setting.integer(p + "circuit-breaker.failure-rate-threshold", CircuitBreaker.DEFAULT_FAILURE_RATE_THRESHOLD)
                .range(1, 100).describedAs("failure rate, in percent, that opens the circuit");
    }

    static Setting<CircuitBreaker.WindowType> windowType(String p) {
        return Setting.oneOf(p + "circuit-breaker.window-type", CircuitBreaker.WindowType.class,
                CircuitBreaker.DEFAULT_WINDOW_TYPE).describedAs("whether the window counts calls or seconds");
    }

    static Setting<Integer> windowSize(String p) {
        return Setting.integer(p + "circuit-breaker.window-size", CircuitBreaker.DEFAULT_WINDOW_SIZE).range(1, 10_000)
                .describedAs("the window: that many calls, or that many seconds");
    }

    static Setting<Integer> minimumCalls(String p) {
        return Setting.integer(p + "circuit-breaker.minimum-calls", CircuitBreaker.DEFAULT_MINIMUM_CALLS)
                .range(1, 10_000).describedAs("calls needed in the window before the rate is judged");
    }

    static Setting<Duration> waitInOpen(String p) {
        return Setting.duration(p + "circuit-breaker.wait-in-open", null).min(1)
                .withDefault(CircuitBreaker.DEFAULT_WAIT_IN_OPEN).describedAs("how long the circuit stays open");
    }

    static Setting<Integer> halfOpenCalls(String p) {
        return Setting.integer(p + "circuit-breaker.half-open-calls", CircuitBreaker.DEFAULT_HALF_OPEN_CALLS)
                .range(1, 1000).describedAs("trial calls allowed while half-open");
    }

    static Setting<Boolean> bulkheadEnabled(String p) {
        return Setting.bool(p + "bulkhead.enabled", null)
                .describedAs("on when @Bulkhead or a bulkhead key is present, unless false");
    }

    static Setting<Boolean> limiterEnabled(String p) {
        return Setting.bool(p + "rate-limiter.enabled", null)
                .describedAs("on when @RateLimiter or a rate-limiter key is present, unless false");
    }

    static Setting<Integer> maxConcurrent(String p) {
        return Setting.integer(p + "bulkhead.max-concurrent", Bulkhead.DEFAULT_MAX_CONCURRENT).range(1, 10_000)
                .describedAs("calls allowed at once");
    }

    static Setting<Duration> maxWait(String p) {
        return Setting.duration(p + "bulkhead.max-wait", null).withDefault(Bulkhead.DEFAULT_MAX_WAIT)
                .describedAs("how long a call may wait for a place before it is refused");
    }

    static Setting<Integer> limit(String p) {
        return Setting.integer(p + "rate-limiter.limit", DEFAULT_LIMIT).range(1, 1_000_000)
                .describedAs("calls allowed per period");
    }

    static Setting<Duration> period(String p) {
        return Setting.duration(p + "rate-limiter.period", null).min(1).withDefault(RateLimiter.DEFAULT_PERIOD)
                .describedAs("the period of the limit");
    }

    static Setting<Duration> limiterTimeout(String p) {
        return Setting.duration(p + "rate-limiter.timeout", null).withDefault(RateLimiter.DEFAULT_TIMEOUT)
                .describedAs("how long a call may wait for permission before it is refused");
    }

    static Setting<RateLimiter.Per> limiterPer(String p) {
        return Setting.oneOf(p + "rate-limiter.per", RateLimiter.Per.class, RateLimiter.Per.ALL)
                .describedAs("whose calls share one limit: all (every call), client-address (each client address's own),"
                        + " caller (each authenticated caller's own, else its address's); handlers only");
    }

    static Setting<Integer> limiterMaxClients(String p) {
        return Setting.integer(p + "rate-limiter.max-clients", DEFAULT_MAX_CLIENTS).range(1, 1_000_000)
                .describedAs("with per: client-address or caller, how many clients have their own limit at once;"
                        + " clients beyond them share one limit until a period ends and idle clients are forgotten");
    }

    /** {@code 0ms} turns a time limit declared by annotation off. */
    static Setting<Duration> timeLimit(String p) {
        return Setting.duration(p + "time-limit", null)
                .describedAs("give up on a call that takes longer than this; 0ms turns a @TimeLimit off");
    }

    /** The keys of one policy ({@code retry}, {@code circuit-breaker}...) under a prefix. */
    static List<Setting<?>> of(String policy, String p) {
        return switch (policy) {
            case "retry" -> p.equals(CLIENTS)
                    ? List.of(retryEnabled(p), retryMesh(p), maxAttempts(p), backoff(p), maxBackoff(p), multiplier(p), jitter(p),
                            budgetRatio(p), budgetMinPerSecond(p))
                    : List.of(retryEnabled(p), maxAttempts(p), backoff(p), maxBackoff(p), multiplier(p), jitter(p));
            case "circuit-breaker" -> List.of(breakerEnabled(p), failureRate(p), windowType(p), windowSize(p), minimumCalls(p),
                    waitInOpen(p), halfOpenCalls(p));
            case "bulkhead" -> List.of(bulkheadEnabled(p), maxConcurrent(p), maxWait(p));
            case "rate-limiter" -> p.equals(CLIENTS)
                    ? List.of(limiterEnabled(p), limit(p), period(p), limiterTimeout(p))
                    : List.of(limiterEnabled(p), limit(p), period(p), limiterTimeout(p), limiterPer(p), limiterMaxClients(p));
            case "time-limit" -> List.of(timeLimit(p));
            default -> throw new IllegalArgumentException(policy);
        };
    }

    static final List<String> POLICIES = List.of("retry", "circuit-breaker", "bulkhead", "rate-limiter", "time-limit");

    /** Every key, for both prefixes, for start-up validation. */
    static List<Setting<?>> all() {
        List<Setting<?>> all = new ArrayList<>();
        all.add(MESH_RETRIES);
        for (String p : List.of(CLIENTS, HANDLERS)) {
            for (String policy : POLICIES) {
                all.addAll(of(policy, p));
            }
        }
        return all;
    }
}
