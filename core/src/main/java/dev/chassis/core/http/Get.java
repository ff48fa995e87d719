package dev.chassis.core.http;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Handles HTTP {@code GET} requests for the method's path: the class's {@link Path} followed by
 * this annotation's value. On a client interface, sends {@code GET}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Get {
    /** The path below the class path: {@code "/{id}"}; empty for the class path itself. */
    String value() default "";
}
