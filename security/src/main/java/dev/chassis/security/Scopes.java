package dev.chassis.security;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The caller needs a verified token granting every one of these OAuth scopes ({@code scope} or {@code scp} claim);
 * without a token it answers 401, with a missing scope 403 and {@code WWW-Authenticate: Bearer
 * error="insufficient_scope", scope="..."} ({@code PERMISSION_DENIED} on gRPC). With {@link RolesAllowed} on the same
 * element, both must hold.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Scopes {
    /** The scopes, all required; at least one. */
    String[] value();
}
