package dev.chassis.security;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Everyone may call the handler or gRPC method (or every one of the class), even with
 * {@code security.default: authenticated}. A token, when sent, is still verified: an invalid one answers 401.
 * It cannot be combined with another rule on the same element; start-up fails naming the method.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface PermitAll {
}
