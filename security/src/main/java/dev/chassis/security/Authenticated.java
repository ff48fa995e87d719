package dev.chassis.security;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The handler or gRPC method (or every one of the class) needs a caller with a verified bearer token; without one
 * it answers 401 ({@code UNAUTHENTICATED}). On a class, a method's own annotation wins.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Authenticated {
}
