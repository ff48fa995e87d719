package dev.chassis.security;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The caller needs a verified token granting at least one of these roles (read from the claims
 * {@code security.role-claims} names); without a token it answers 401, without the role 403
 * ({@code PERMISSION_DENIED}). On a class, a method's own rule annotations replace the class's.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RolesAllowed {
    /** The roles, any one of which suffices; at least one. */
    String[] value();
}
