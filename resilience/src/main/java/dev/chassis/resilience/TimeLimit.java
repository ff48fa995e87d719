package dev.chassis.resilience;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives up on a call that takes longer than this (Resilience4j TimeLimiter; the call runs on its own virtual
 * thread, which is interrupted). A handler answers 503; a client throws a
 * {@link dev.chassis.core.client.ClientTimeoutException}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface TimeLimit {
    /** The limit, such as {@code "2s"}. */
    String value();
}
