package dev.chassis.core.http;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a handler parameter to a path variable. Converted to the parameter's type (String, primitives
 * and boxes, UUID, enums, Instant, LocalDate); a value that does not convert answers 400.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface PathParam {
    /** The variable name; defaults to the parameter name (compiled with {@code -parameters}). */
    String value() default "";
}
