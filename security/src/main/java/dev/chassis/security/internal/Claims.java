package dev.chassis.security.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.nimbusds.jwt.JWTClaimsSet;

import dev.chassis.core.Caller;

/**
 * Turns a verified token's claims into a {@link Caller}: client id from {@code azp} or {@code client_id}, scopes
 * from {@code scope} (space-separated) or {@code scp} (a list or a string), roles from the configured claim paths
 * ({@code realm_access.roles} reads {@code roles} inside the object {@code realm_access}). Not API.
 */
final class Claims {
    private final List<List<String>> rolePaths;

    /**
     * @param roleClaims dotted claim paths
     * @throws IllegalArgumentException naming a path with an empty segment
     */
    Claims(List<String> roleClaims) {
        List<List<String>> paths = new ArrayList<>();
        for (String path : roleClaims) {
            List<String> parts = List.of(path.split("\\.", -1));
            if (path.isBlank() || parts.stream().anyMatch(String::isBlank)) {
                throw new IllegalArgumentException("'" + path + "' is not a claim path: dot-separated claim names"
                        + " such as roles or realm_access.roles");
            }
            paths.add(parts);
        }
        this.rolePaths = List.copyOf(paths);
    }

    Caller caller(JWTClaimsSet set) {
        Map<String, Object> all = set.toJSONObject();
        Object client = all.get("azp") != null ? all.get("azp") : all.get("client_id");
        Set<String> scopes = new LinkedHashSet<>();
        strings(all.get("scope"), scopes);
        strings(all.get("scp"), scopes);
        Set<String> roles = new LinkedHashSet<>();
        for (List<String> path : rolePaths) {
            Object value = all;
            for (String part : path) {
                value = value instanceof Map<?, ?> m ? m.get(part) : null;
            }
            if (value instanceof String role) {
                // one role: a free-text claim ("not admin") must not grant each of its words
                if (!role.isBlank()) {
                    roles.add(role.strip());
                }
            } else {
                strings(value, roles);
            }
        }
        return Caller.authenticated(set.getSubject(), set.getIssuer())
                .clientId(client instanceof String s ? s : null)
                .scopes(scopes).roles(roles).claims(all).build();
    }

    /** Adds a claim's values: a list of strings, or a string of space-separated values. */
    private static void strings(Object value, Set<String> into) {
        if (value instanceof String s) {
            for (String part : s.trim().split("\\s+")) {
                if (!part.isEmpty()) {
                    into.add(part);
                }
            }
        } else if (value instanceof Collection<?> c) {
            for (Object o : c) {
                if (o instanceof String s && !s.isEmpty()) {
                    into.add(s);
                }
            }
        }
    }
}
