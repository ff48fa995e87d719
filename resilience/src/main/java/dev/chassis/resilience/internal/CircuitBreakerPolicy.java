package dev.chassis.resilience.internal;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.chassis.core.Problem;
import dev.chassis.core.http.BindingException;
import dev.chassis.core.spi.CallSite;
import dev.chassis.core.spi.Invocation;
import dev.chassis.resilience.CircuitBreaker;
import dev.chassis.resilience.CircuitOpenException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

/**
 * Stops calling what keeps failing (Resilience4j circuit breaker), counting failures with the
 * {@link FailureClassifier}; an open circuit answers a handler call with 503 and {@code Retry-After}, and a
 * client call with {@link CircuitOpenException}. One per client target, one per handler method. Not API.
 */
final class CircuitBreakerPolicy {
    private static final System.Logger LOG = System.getLogger(CircuitBreakerPolicy.class.getName());

    private CircuitBreakerPolicy() {
    }

    /**
     * {@code inner} behind a circuit breaker when annotated or configured, else {@code inner} itself.
     *
     * @throws BindingException when the minimum calls exceed a count window, so the circuit could never open
     */
    static Invocation apply(PolicySupport support, CallSite site, Policy p, Invocation inner) {
        String pre = p.prefix();
        CircuitBreaker cb = PolicySupport.sharedAnnotation(site, p, CircuitBreaker.class).orElse(null);
        if (!PolicySupport.enabled(p, cb != null, "circuit-breaker", PolicySettings.breakerEnabled(pre))) {
            return inner;
        }
        Duration wait = p.value(PolicySettings.waitInOpen(pre), cb == null ? null : cb.waitInOpen());
        CircuitBreaker.WindowType type = p.value(PolicySettings.windowType(pre), cb == null ? null : cb.windowType());
        int windowSize = p.value(PolicySettings.windowSize(pre), cb == null ? null : cb.windowSize());
        int minimumCalls = p.value(PolicySettings.minimumCalls(pre), cb == null ? null : cb.minimumCalls());
        if (type == CircuitBreaker.WindowType.COUNT && minimumCalls > windowSize) {
            throw new BindingException(site.describe() + ": the circuit breaker's minimum-calls (" + minimumCalls
                    + ") is larger than its count window (" + windowSize + "), so it could never open. Fix: make "
                    + p.key(PolicySettings.minimumCalls(pre)) + " at most " + p.key(PolicySettings.windowSize(pre)));
        }
        int threshold = p.value(PolicySettings.failureRate(pre), cb == null ? null : cb.failureRateThreshold());
        int halfOpen = p.value(PolicySettings.halfOpenCalls(pre), cb == null ? null : cb.halfOpenCalls());
        FailureClassifier failures = FailureClassifier.of(site);
        io.github.resilience4j.circuitbreaker.CircuitBreaker breaker = support.shareable(site, "circuit-breaker", () -> { // CHECKSTYLE:FQN-OK
            CircuitBreakerConfig cfg = CircuitBreakerConfig.custom()
                    .failureRateThreshold(threshold)
                    .slidingWindowType(type == CircuitBreaker.WindowType.TIME
                            ? CircuitBreakerConfig.SlidingWindowType.TIME_BASED
                            : CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                    .slidingWindowSize(windowSize)
                    .minimumNumberOfCalls(minimumCalls)
                    .waitDurationInOpenState(wait)
                    .permittedNumberOfCallsInHalfOpenState(halfOpen)
                    .recordException(failures::failure)
                    .ignoreException(failures::ignored)
                    .writableStackTraceEnabled(false)
                    .clock(support.clock())
                    .currentTimestampFunction(Clock::millis, TimeUnit.MILLISECONDS)
                    .build();
            io.github.resilience4j.circuitbreaker.CircuitBreaker b = // CHECKSTYLE:FQN-OK
                    io.github.resilience4j.circuitbreaker.CircuitBreaker.of(PolicySupport.name(site), cfg); // CHECKSTYLE:FQN-OK
            b.getEventPublisher().onStateTransition(e -> LOG.log(Level.INFO, "circuit breaker {0}: {1}",
                    e.getCircuitBreakerName(), e.getStateTransition()));
            support.metrics().watch(b);
            return b;
        });
        boolean client = site.kind() == CallSite.Kind.CLIENT;
        String retryAfter = PolicySupport.seconds(wait);
        return PolicySupport.guarded(inner, breaker::executeCheckedSupplier, CallNotPermittedException.class,
                e -> client ? new CircuitOpenException(site.target(), wait)
                        : Problem.builder(503).detail("this operation is failing; it is suspended for a while")
                                .header("Retry-After", retryAfter).build());
    }
}
