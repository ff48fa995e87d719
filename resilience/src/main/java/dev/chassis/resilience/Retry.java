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
    /** The default of {@link #maxAttempts()} and of its configuration key. */
    int DEFAULT_MAX_ATTEMPTS = 3;

    /** The default of {@link #backoff()} and of its configuration key. */
    String DEFAULT_BACKOFF = "100ms";

    /** The default of {@link #maxBackoff()} and of its configuration key. */
    String DEFAULT_MAX_BACKOFF = "2s";

    /** The default of {@link #multiplier()} and of its configuration key. */
    double DEFAULT_MULTIPLIER = 2.0;

    /** The default of {@link #jitter()} and of its configuration key. */
    double DEFAULT_JITTER = 0.5;

    /** Attempts in all, the first included: 1–10. */
    int maxAttempts() default DEFAULT_MAX_ATTEMPTS;

    /** The wait before the first retry, such as {@code "100ms"}. */
    String backoff() default DEFAULT_BACKOFF;

    /** The longest wait between attempts. */
    String maxBackoff() default DEFAULT_MAX_BACKOFF;

    /** How much each wait grows: 1–10. */
    double multiplier() default DEFAULT_MULTIPLIER;

    /** Randomisation of each wait, 0 (none) to 1 (±100%). */
    double jitter() default DEFAULT_JITTER;
}
