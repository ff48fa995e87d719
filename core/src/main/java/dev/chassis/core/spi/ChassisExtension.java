package dev.chassis.core.spi;

import java.util.List;

import dev.chassis.core.config.Setting;

/**
 * A capability that plugs into every Chassis service when its jar is on the classpath, found with
 * {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/dev.chassis.core.spi.ChassisExtension}).
 *
 * <p>An extension declares the configuration keys it reads ({@link #settings()}) — so unknown keys
 * under its prefixes and bad values fail start-up — and registers what it adds in
 * {@link #register(ExtensionContext)}: routes, filters, health checks, lifecycle hooks. Setting
 * {@code chassis.extensions.<name>.enabled: false} turns it off.
 *
 * <p>Implementations need a public no-argument constructor; {@code register} is called once per
 * service, before the server starts, on the thread that calls {@code start()}.
 */
public interface ChassisExtension {
    /** A short lower-case name ({@code health}, {@code metrics}); used in configuration and messages. */
    String name();

    /** The configuration keys this extension reads. Declared even when the extension is disabled. */
    default List<Setting<?>> settings() {
        return List.of();
    }

    /**
     * The OpenTelemetry SDK this extension brings for the service, or {@code null} (the default). Called
     * once per service, before any {@link #register(ExtensionContext)}, so that every extension and Chassis'
     * own instrumentation see it through {@link ExtensionContext#openTelemetry()}. At most one enabled
     * extension may return one. Without one, Chassis traces and measures nothing.
     */
    default io.opentelemetry.api.OpenTelemetry openTelemetry(dev.chassis.core.ServiceInfo service,
                                                             dev.chassis.core.config.Config config) {
        return null;
    }

    /** Adds this extension's routes, filters, checks and hooks to the service being built. */
    void register(ExtensionContext context);
}
