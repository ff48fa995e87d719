package dev.chassis.core.spi;

import java.util.List;
import java.util.ServiceLoader;

import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.Setting;
import io.opentelemetry.api.OpenTelemetry;

/**
 * A capability that plugs into every Chassis service when its jar is on the classpath, found with
 * {@link ServiceLoader} (list the class in {@code META-INF/services/dev.chassis.core.spi.ChassisExtension}).
 *
 * <p>An extension declares the configuration keys it reads ({@link #settings()}) — so unknown keys under its
 * prefixes and bad values fail start-up before anything is built — and registers what it adds in
 * {@link #register(ExtensionContext)}: routes, filters, decorators, components, health checks, lifecycle hooks.
 * Setting {@code chassis.extensions.<name>.enabled: false} turns it off.
 *
 * <p>Implementations need a public no-argument constructor; {@code register} is called once per service, before
 * the port opens, on the thread that calls {@code start()}. Everything it throws stops start-up.
 */
public interface ChassisExtension {
    /** A short lower-case name ({@code health}, {@code metrics}); used in configuration and messages. */
    String name();

    /** The configuration keys this extension reads. Declared even when the extension is disabled. */
    default List<Setting<?>> settings() {
        return List.of();
    }

    /**
     * The OpenTelemetry SDK this extension brings for the service, or {@code null} (the default). Called once per
     * service, before any {@link #register(ExtensionContext)}, so that every extension and Chassis' own
     * instrumentation see it through {@link ExtensionContext#openTelemetry()}. At most one enabled extension may
     * return one. Without one, Chassis traces and measures nothing.
     */
    default OpenTelemetry openTelemetry(ServiceInfo service, Config config) {
        return null;
    }

    /**
     * The OpenTelemetry SDK this extension brings, built with what {@code context} gives: the service, its
     * configuration and the TLS bundles (for exporters that reach a collector over TLS). Chassis calls this form;
     * by default it calls {@link #openTelemetry(ServiceInfo, Config)}, so an extension overrides one or the other.
     * The same rules apply: called once per service, before any {@link #register(ExtensionContext)}; {@code null}
     * when the extension brings no SDK.
     */
    default OpenTelemetry openTelemetry(TelemetryContext context) {
        return openTelemetry(context.service(), context.config());
    }

    /** Adds this extension's routes, filters, components, checks and hooks to the service being assembled. */
    void register(ExtensionContext context);
}
