package dev.chassis.core.config;

import java.util.Optional;
import java.util.Set;

/**
 * The service's configuration: layered sources, read through declared {@link Setting}s.
 *
 * <p>Sources, later wins: built-in defaults, {@code application.yaml}, {@code application-<profile>.yaml}
 * (profile from {@code chassis.profile} / {@code CHASSIS_PROFILE}), environment variables
 * ({@code SERVER_PORT} for {@code server.port}), system properties, and values set in code for tests.
 *
 * <p>Immutable and thread-safe once the service has started.
 */
public interface Config {

    /**
     * The value of a setting: the highest-precedence source's value, parsed and checked, or the
     * setting's default.
     *
     * @throws ConfigException when the value is not allowed (naming key, value, source and what is allowed)
     */
    <T> T get(Setting<T> setting);

    /**
     * The value of a setting when some source sets it or it has a default.
     *
     * @throws ConfigException when the value is not allowed
     */
    <T> Optional<T> find(Setting<T> setting);

    /** The raw text of a key from the highest-precedence source that sets it, if any. */
    Optional<String> raw(String key);

    /** Where the value of a key comes from ({@code "classpath:application.yaml"}, ...), if any source sets it. */
    Optional<String> sourceOf(String key);

    /**
     * The names one level below {@code prefix} that any source sets, e.g. {@code names("clients")}
     * gives {@code {"inventory", "payments"}} for {@code clients.inventory.timeout} and
     * {@code clients.payments.timeout}. Environment variables are not listed, as their names
     * cannot be mapped back to keys unambiguously.
     */
    Set<String> names(String prefix);

    /** The active profile, if any. */
    Optional<String> profile();
}
