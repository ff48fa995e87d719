package dev.chassis.core.http;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an interface as a declarative HTTP client of a logical target: {@code @Client("inventory")}.
 * Its methods carry the same annotations as server handlers ({@link Get}, {@link Post}, {@link PathParam},
 * {@link Body}...); the target's instances, timeouts and policies come from configuration
 * ({@code clients.inventory.*}) or discovery.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Client {
    /** The logical target name, a DNS label such as {@code inventory}. */
    String value();
}
