package dev.chassis.security;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Only these workloads may call, as the client certificate a mutual-TLS handshake verified names them: a
 * {@code spiffe://} value is compared with its SPIFFE ID ({@link dev.chassis.core.Peer#spiffeId()}, the URI SAN) only,
 * and ending in {@code /*} it admits the path segments below ({@code spiffe://example.org/ns/shop/*}); any other value
 * is compared with its DNS names, exactly. The subject is never compared. A call without a client certificate answers 401, from another workload
 * 403 ({@code PERMISSION_DENIED}). A bearer token is not needed; with {@link RolesAllowed} or {@link Scopes} on the
 * same element, every rule must hold.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Workloads {
    /** SPIFFE IDs, {@code /*}-terminated SPIFFE prefixes or DNS names, any one of which suffices; at least one. */
    String[] value();
}
