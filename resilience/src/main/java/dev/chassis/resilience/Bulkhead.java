package dev.chassis.resilience;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Caps how many calls run at once (Resilience4j semaphore Bulkhead); a call beyond the cap waits up to
 * {@code maxWait}, then is refused: a handler answers 503 with {@code Retry-After}, a client throws
 * {@link CallRejectedException}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Bulkhead {
    /** The default of {@link #maxConcurrent()} and of its configuration key. */
    int DEFAULT_MAX_CONCURRENT = 25;

    /** The default of {@link #maxWait()} and of its configuration key. */
    String DEFAULT_MAX_WAIT = "0ms";

    /** Calls allowed at once: 1–10000. */
    int maxConcurrent() default DEFAULT_MAX_CONCURRENT;

    /** How long a call may wait for a place, such as {@code "0ms"} (do not wait). */
    String maxWait() default DEFAULT_MAX_WAIT;
}
