package dev.chassis.core.http;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a handler parameter to the request body, read as JSON into the parameter type
 * ({@code String} and {@code byte[]} receive the raw body). Required unless the type is
 * {@code Optional}. At most one parameter per method.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Body {

}
