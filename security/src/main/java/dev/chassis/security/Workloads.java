package dev.chassis.security;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Only these workloads may call: the SPIFFE ID (else the first DNS name, else the subject) of the client certificate a
 * mutual-TLS handshake verified ({@link dev.chassis.core.Peer#identity()}). A value ending in {@code *} is a prefix
 * ({@code spiffe://example.org/ns/shop/*}). A call without a client certificate answers 401, from another workload
 * 403 ({@code PERMISSION_DENIED}). A bearer token is not needed; with {@link RolesAllowed} or {@link Scopes} on the
 * same element, every rule must hold.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Workloads {
    /** Workload identities or {@code *}-terminated prefixes, any one of which suffices; at least one. */
    String[] value();
}
