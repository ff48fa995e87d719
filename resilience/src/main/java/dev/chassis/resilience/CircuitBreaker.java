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
    /** Failure rate, in percent (1–100), that opens the circuit. */
    int failureRateThreshold() default 50;

    /** Whether the window counts calls or seconds. */
    WindowType windowType() default WindowType.COUNT;

    /** The window: that many calls, or that many seconds. */
    int windowSize() default 20;

    /** Calls needed in the window before the rate is judged. */
    int minimumCalls() default 10;

    /** How long the circuit stays open, such as {@code "10s"}. */
    String waitInOpen() default "10s";

    /** Trial calls allowed while half-open. */
    int halfOpenCalls() default 3;

    /** How the sliding window is measured. */
    enum WindowType { COUNT, TIME }
}
