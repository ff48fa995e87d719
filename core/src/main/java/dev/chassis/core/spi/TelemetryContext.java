package dev.chassis.core.spi;

import java.util.Optional;

import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.config.Setting;

/**
 * What an extension sees while it builds the service's OpenTelemetry SDK ({@link ChassisExtension#openTelemetry(
 * TelemetryContext)}): the service's identity, its validated configuration, and the TLS bundles its exporters may
 * connect with. Nothing is registered yet.
 */
public interface TelemetryContext {
    /** The service's name, version and instance id. */
    ServiceInfo service();

    /** The validated configuration. */
    Config config();

    /**
     * The TLS bundle ({@code tls.bundles.<name>}) that {@code setting} names, for an exporter's connections to its
     * collector; empty when the setting is unset. Bundles are read and checked before the SDK is built.
     *
     * @throws ConfigException when the setting names no bundle (the message names the setting, the value and the
     *                         bundles there are), so start-up fails before the port opens
     */
    Optional<ClientTls> tls(Setting<String> setting);
}
