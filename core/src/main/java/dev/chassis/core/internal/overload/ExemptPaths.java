package dev.chassis.core.internal.overload;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The paths of the management routes served on the service port ({@code /health/ready}, {@code /metrics}, ...),
 * which are never limited: an exact path for a route without variables, the literal segments before the first
 * variable for one with ({@code /observe/traces/{id}} exempts {@code /observe/traces/...}). Not API.
 */
final class ExemptPaths {
    private final Set<String> exact = new HashSet<>();
    private final List<String> prefixes = new ArrayList<>();

    ExemptPaths(List<String> templates) {
        for (String t : templates) {
            int variable = firstVariable(t);
            if (variable < 0) {
                exact.add(t);
            } else if (t.lastIndexOf('/', variable) > 0) { // never "/": that would exempt every path
                prefixes.add(t.substring(0, t.lastIndexOf('/', variable) + 1));
            }
        }
    }

    boolean matches(String path) {
        if (exact.contains(path)) {
            return true;
        }
        for (String p : prefixes) {
            if (path.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    private static int firstVariable(String template) {
        int brace = template.indexOf('{');
        int star = template.indexOf('*');
        return brace < 0 ? star : star < 0 ? brace : Math.min(brace, star);
    }
}
