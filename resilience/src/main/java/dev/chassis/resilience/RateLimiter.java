package dev.chassis.resilience;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Allows at most {@code limit} calls per {@code period} (Resilience4j RateLimiter); a call beyond it waits up
 * to {@code timeout}, then is refused: a handler answers 429 with {@code Retry-After}, a client throws
 * {@link CallRejectedException}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RateLimiter {
    /** The default of {@link #period()} and of its configuration key. */
    String DEFAULT_PERIOD = "1s";

    /** The default of {@link #timeout()} and of its configuration key. */
    String DEFAULT_TIMEOUT = "0ms";

    /** Calls allowed per period: 1–1000000. */
    int limit();

    /** The period, such as {@code "1s"}. */
    String period() default DEFAULT_PERIOD;

    /** How long a call may wait for permission, such as {@code "0ms"} (do not wait). */
    String timeout() default DEFAULT_TIMEOUT;
}
