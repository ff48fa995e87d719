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
 *
 * <p>On a handler, {@link #per()} can give each client its own limit: {@code @RateLimiter(limit = 10, per =
 * Per.CLIENT_ADDRESS)} allows each client address ten calls per period, the address being the request's
 * {@code Origin} (behind a proxy listed in {@code server.trusted-proxies}, the address it forwarded). Per-client
 * limits do not wait: a call beyond its client's limit is refused at once.
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

    /** Whose calls share one limit: all of them (the default), or each client's (handlers only). */
    Per per() default Per.ALL;

    /** Whose calls share one limit. */
    enum Per {
        /** One limit for every call of the method (a client target: for all its calls). */
        ALL,
        /** One limit per client address (the request's {@code Origin}). */
        CLIENT_ADDRESS,
        /**
         * One limit per authenticated caller (its issuer and subject, from a verified bearer token); a caller
         * without a token is limited by its client address.
         */
        CALLER
    }
}
