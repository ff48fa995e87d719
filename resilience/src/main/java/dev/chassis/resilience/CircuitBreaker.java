package dev.chassis.resilience;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Stops calling a failing target (or running a failing handler) for a while (Resilience4j CircuitBreaker):
 * when the failure rate over the sliding window reaches the threshold, the circuit opens and calls fail at
 * once; after {@code waitInOpen} a few trial calls decide whether it closes again. For clients one circuit
 * is kept per target; failures are connect failures, time-outs and 5xx answers, not 4xx.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface CircuitBreaker {
    /** The default of {@link #failureRateThreshold()} and of its configuration key. */
    int DEFAULT_FAILURE_RATE_THRESHOLD = 50;

    /**
     * The default of {@link #windowType()} (which, being an enum member, must name the constant itself) and
     * of its configuration key.
     */
    WindowType DEFAULT_WINDOW_TYPE = WindowType.COUNT;

    /** The default of {@link #windowSize()} and of its configuration key. */
    int DEFAULT_WINDOW_SIZE = 20;

    /** The default of {@link #minimumCalls()} and of its configuration key. */
    int DEFAULT_MINIMUM_CALLS = 10;

    /** The default of {@link #waitInOpen()} and of its configuration key. */
    String DEFAULT_WAIT_IN_OPEN = "10s";

    /** The default of {@link #halfOpenCalls()} and of its configuration key. */
    int DEFAULT_HALF_OPEN_CALLS = 3;

    /** Failure rate, in percent (1–100), that opens the circuit. */
    int failureRateThreshold() default DEFAULT_FAILURE_RATE_THRESHOLD;

    /** Whether the window counts calls or seconds. */
    WindowType windowType() default WindowType.COUNT;

    /** The window: that many calls, or that many seconds. */
    int windowSize() default DEFAULT_WINDOW_SIZE;

    /** Calls needed in the window before the rate is judged. */
    int minimumCalls() default DEFAULT_MINIMUM_CALLS;

    /** How long the circuit stays open, such as {@code "10s"}. */
    String waitInOpen() default DEFAULT_WAIT_IN_OPEN;

    /** Trial calls allowed while half-open. */
    int halfOpenCalls() default DEFAULT_HALF_OPEN_CALLS;

    /** How the sliding window is measured. */
    enum WindowType { COUNT, TIME }
}
