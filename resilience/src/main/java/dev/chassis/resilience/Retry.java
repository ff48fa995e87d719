package dev.chassis.resilience;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Retries a failed call with exponential back-off and jitter (Resilience4j Retry). On a client method or
 * interface it refines the standard's default retry (which is on for every client); on a handler method
 * it re-runs the method when it throws anything but a 4xx {@code Problem}.
 *
 * <p>Client retries follow the standard whatever the annotation says: only idempotent methods or requests
 * with an {@code Idempotency-Key}, only on connect failures, 502, 503 and 504, within the target's retry
 * budget, each retry to another instance when there is one. Configuration
 * ({@code clients.<target>.retry.*}, {@code handlers.<class>.<method>.retry.*}) overrides these values.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Retry {
    /** Attempts in all, the first included: 1–10. */
    int maxAttempts() default 3;

    /** The wait before the first retry, such as {@code "100ms"}. */
    String backoff() default "100ms";

    /** The longest wait between attempts. */
    String maxBackoff() default "2s";

    /** How much each wait grows: 1–10. */
    double multiplier() default 2.0;

    /** Randomisation of each wait, 0 (none) to 1 (±100%). */
    double jitter() default 0.5;
}
