package dev.chassis.core.http;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The path of an endpoint class (its prefix) or of a handler method, as a template:
 * {@code /orders}, {@code /orders/{id}}. Segments are literal words or {@code {name}} variables read
 * with {@link PathParam}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Path {
    /** The path template; {@code ""} or {@code "/"} is the root. */
    String value();
}
