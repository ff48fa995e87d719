package dev.chassis.security.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.chassis.core.Peer;
import dev.chassis.core.spi.AccessPolicy;

/**
 * The access rule of one handler or RPC, as its annotations or configuration state it: everyone, or any
 * combination of "a verified token", "one of these roles", "all of these scopes" and "one of these workloads",
 * every part of which must hold. Immutable. Not API.
 *
 * @param permitAll     everyone may call
 * @param authenticated a verified token is needed
 * @param roles         one of these roles is needed (empty: none)
 * @param scopes        all of these scopes are needed (empty: none)
 * @param workloads     one of these workloads is needed (empty: none): SPIFFE IDs (or {@code /*}-terminated
 *                      prefixes of whole path segments), or DNS names
 */
record RuleSpec(boolean permitAll, boolean authenticated, Set<String> roles, Set<String> scopes,
                List<String> workloads) {
    private static final String SPIFFE = "spiffe://";
    static final RuleSpec PERMIT = new RuleSpec(true, false, Set.of(), Set.of(), List.of());
    static final RuleSpec AUTHENTICATED = new RuleSpec(false, true, Set.of(), Set.of(), List.of());
    /** The rule of a method needing a token while the service trusts no issuer: every call is refused (401). */
    static final AccessPolicy.Rule NO_ISSUER = caller -> AccessPolicy.Denial.unauthenticated(Challenges.BEARER,
            "a bearer token is required, and this service trusts no token issuer yet (security.issuers is not set)");

    /** Whether a bearer token is needed (so an issuer must be configured). */
    boolean needsToken() {
        return authenticated || !roles.isEmpty() || !scopes.isEmpty();
    }

    /** What the rule asks of a caller, as documents (OpenAPI) describe it. */
    AccessPolicy.Requirement requirement() {
        return permitAll ? AccessPolicy.Requirement.NONE
                : new AccessPolicy.Requirement(needsToken(), List.copyOf(roles), List.copyOf(scopes), !workloads.isEmpty());
    }

    /** The rule checked per call. */
    AccessPolicy.Rule toRule() {
        if (permitAll) {
            return AccessPolicy.Rule.PERMIT;
        }
        boolean token = needsToken();
        List<String> scopeList = List.copyOf(scopes);
        return caller -> {
            if (!workloads.isEmpty()) {
                Peer peer = caller.peer();
                if (!peer.authenticated()) {
                    return AccessPolicy.Denial.unauthenticated(null, "a client certificate (mutual TLS) is required");
                }
                if (workloads.stream().noneMatch(w -> matches(w, peer))) {
                    return AccessPolicy.Denial.forbidden(null, "this workload may not call this method");
                }
            }
            if (token && !caller.authenticated()) {
                return AccessPolicy.Denial.unauthenticated(Challenges.BEARER, "a bearer token is required");
            }
            if (!roles.isEmpty() && roles.stream().noneMatch(caller::hasRole)) {
                return AccessPolicy.Denial.forbidden(Challenges.insufficientScope("a role is missing", List.of()),
                        "the token grants none of the roles this method needs");
            }
            if (!scopes.isEmpty() && !caller.scopes().containsAll(scopes)) {
                List<String> missing = new ArrayList<>(scopeList);
                missing.removeAll(caller.scopes());
                return AccessPolicy.Denial.forbidden(Challenges.insufficientScope("a scope is missing", scopeList),
                        "the token lacks the scope " + String.join(" ", missing));
            }
            return null;
        };
    }

    /**
     * Whether a verified peer is the workload a pattern names: a {@code spiffe://} pattern against the certificate's
     * SPIFFE ID (its URI SAN) only, a trailing {@code /*} matching the path segments below; any other pattern against
     * its DNS names, exactly. Never against the subject, and never a SPIFFE pattern against a DNS name: a CA that lets
     * requesters choose DNS names would otherwise sign {@code DNS:spiffe://example.org/admin} for anyone.
     */
    static boolean matches(String pattern, Peer peer) {
        if (pattern.startsWith(SPIFFE)) {
            String id = peer.spiffeId().orElse(null);
            return id != null && (pattern.endsWith("/*") ? id.startsWith(pattern.substring(0, pattern.length() - 1))
                    : pattern.equals(id));
        }
        return peer.dnsNames().contains(pattern);
    }

    /** Why a workload pattern is malformed, or null. */
    static String badWorkload(String pattern) {
        if (pattern.isBlank()) {
            return "an empty workload identity";
        }
        int star = pattern.indexOf('*');
        if (star < 0) {
            return null;
        }
        if (!pattern.startsWith(SPIFFE)) {
            return "'" + pattern + "' has a *: a DNS name is matched exactly";
        }
        return star != pattern.length() - 1 || !pattern.endsWith("/*") || pattern.length() <= SPIFFE.length() + 2
                ? "'" + pattern + "' has a * that does not stand for whole path segments at its end (e.g."
                        + " spiffe://example.org/ns/shop/*; spiffe://example.org/ns/shop/sa/orders* would also admit"
                        + " .../orders-evil)"
                : null;
    }
}
