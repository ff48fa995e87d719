package dev.chassis.core.http;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a handler parameter to a request header (case-insensitive). Required unless the type is
 * {@code Optional}, {@code List} or a default is given.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Header {
    /** The header name, such as {@code "Idempotency-Key"}; defaults to the Java parameter name. */
    String value() default "";

    /** The value used when the header is absent; empty for none. */
    String defaultValue() default "";
}
