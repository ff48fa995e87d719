package dev.chassis.security.client.internal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.chassis.core.config.Config;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.internal.shared.CurrentCaller;
import dev.chassis.security.client.Credentials;

/**
 * The credentials of each configured target: what {@code clients.<target>.credentials} chose and, for
 * client-credentials, the target's {@link TokenSource}. Built once at start-up; thread-safe. Not API.
 */
final class TargetCredentials {
    private final Map<String, Credentials> modes;
    private final Map<String, TokenSource> sources;

    private TargetCredentials(Map<String, Credentials> modes, Map<String, TokenSource> sources) {
        this.modes = Map.copyOf(modes);
        this.sources = Map.copyOf(sources);
    }

    /**
     * Reads every {@code clients.<target>.credentials}.
     *
     * @throws ConfigException naming every missing or wrong key, so that start-up fails before the port opens
     */
    static TargetCredentials read(Config config, Clock clock) {
        Map<String, Credentials> modes = new HashMap<>();
        Map<String, TokenSource> sources = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (String target : config.names("clients")) {
            Credentials mode = config.get(CredentialSettings.MODE.resolve(target));
            if (mode == Credentials.NONE) {
                if (!config.names("clients." + target + ".client-credentials").isEmpty()) {
                    problems.add("clients." + target + ".client-credentials is set, but clients." + target
                            + ".credentials is none. Fix: set clients." + target + ".credentials: client-credentials");
                }
                continue;
            }
            modes.put(target, mode);
            if (mode == Credentials.CLIENT_CREDENTIALS) {
                ClientCredentialsConfig c = ClientCredentialsConfig.read(config, target, problems);
                if (c != null) {
                    sources.put(target, new TokenSource(target, c, clock));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new TargetCredentials(modes, sources);
    }

    /** Whether no target has credentials: nothing to decorate. */
    boolean empty() {
        return modes.isEmpty();
    }

    /** The credentials of {@code target}: {@link Credentials#NONE} when not configured. */
    Credentials mode(String target) {
        return modes.getOrDefault(target, Credentials.NONE);
    }

    /**
     * The bearer token a call to {@code target} carries now, or null for none: the relayed request's token, or the
     * target's client-credentials token (fetched when needed; {@code TokenUnavailableException} when it cannot be).
     */
    String token(String target) {
        return switch (mode(target)) {
            case NONE -> null;
            case RELAY -> CurrentCaller.token();
            case CLIENT_CREDENTIALS -> sources.get(target).token();
        };
    }

    /** After the target refused {@code rejected}: the token to retry with, or null when there is no other one. */
    String refreshed(String target, String rejected) {
        TokenSource source = sources.get(target);
        return source == null ? null : source.refreshAfterRejection(rejected);
    }

    /** The target refused {@code rejected}: the next call fetches a new client-credentials token. */
    void rejected(String target, String rejected) {
        TokenSource source = sources.get(target);
        if (source != null) {
            source.forget(rejected);
        }
    }
}
