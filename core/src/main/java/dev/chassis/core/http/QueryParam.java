package dev.chassis.core.http;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a handler parameter to a query parameter. Required unless the type is {@code Optional},
 * {@code List} (empty when absent) or a default is given; a missing required parameter or a value
 * that does not convert answers 400.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface QueryParam {
    /** The parameter name; defaults to the Java parameter name. */
    String value() default "";

    /** The value used when the parameter is absent; empty for none. */
    String defaultValue() default "";
}
