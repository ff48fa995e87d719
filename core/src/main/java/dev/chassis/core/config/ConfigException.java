package dev.chassis.core.config;

import java.util.List;

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

    /** One line per problem. */
    public List<String> problems() {
        return problems;
    }
}
