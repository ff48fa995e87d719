package dev.chassis.core.config;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Configuration that cannot be used: a wrong type, an out-of-range value, an unknown key under a
 * Chassis prefix, or an unreadable file. The message names each key, its value, the source it came
 * from and what is allowed; start-up stops with it.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /** One exception for all the problems found, one line each. */
    public ConfigException(List<String> problems) {
        super(problems.size() == 1
                ? "Invalid configuration: " + problems.get(0)
                : "Invalid configuration (" + problems.size() + " problems):\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /**
     * The one of {@code known} closest to a mistyped {@code given} (by edit distance, at most a quarter of its
     * length, at least 3), for a message's "did you mean"; empty when none is close. For extensions that check names
     * under their keys ({@code handlers.<class>.<method>}, {@code consumers.<handler>.<method>}).
     */
    public static Optional<String> closest(String given, Collection<String> known) {
        String best = null;
        int distance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(given, k);
            if (d < distance) {
                distance = d;
                best = k;
            }
        }
        return best != null && distance <= Math.max(3, given.length() / 4) ? Optional.of(best) : Optional.empty();
    }

    /** {@code " Did you mean x?"} with the closest of {@code known}, or {@code ""}: see {@link #closest}. */
    public static String didYouMean(String given, Collection<String> known) {
        return closest(given, known).map(k -> " Did you mean " + k + "?").orElse("");
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** One line per problem. */
    public List<String> problems() {
        return problems;
    }
}
