package dev.chassis.core.http;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Handles HTTP {@code PUT} requests for the method's path: the class's {@link Path} followed by
 * this annotation's value. On a client interface, sends {@code PUT}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Put {
    /** The path below the class path: {@code "/{id}"}; empty for the class path itself. */
    String value() default "";
}
