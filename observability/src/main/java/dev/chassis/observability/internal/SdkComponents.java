package dev.chassis.observability.internal;

import java.util.ServiceLoader;

import io.opentelemetry.common.ComponentLoader;

/**
 * Where the OpenTelemetry SDK's autoconfiguration finds its extension points (exporters, resource providers,
 * propagators, customizers): {@link ServiceLoader} in the given class loader, as autoconfiguration's own loader does,
 * except that the SDK's random {@code service.instance.id} provider is never instantiated. Chassis turns that provider
 * off (the service's instance id replaces its value, and an explicit {@code OTEL_RESOURCE_ATTRIBUTES} wins over both),
 * but autoconfiguration creates every listed provider before it filters the disabled ones, and this one makes a random
 * UUID in its static initializer: {@code SecureRandom} and about 60 JDK classes at every start, for a value that is
 * always replaced. Not API.
 */
final class SdkComponents implements ComponentLoader {
    /** The provider of the SDK's random instance id. */
    static final String RANDOM_INSTANCE_ID = "io.opentelemetry.sdk.autoconfigure.ServiceInstanceIdResourceProvider";

    private final ClassLoader loader;

    SdkComponents(ClassLoader loader) {
        this.loader = loader;
    }

    @Override
    public <T> Iterable<T> load(Class<T> spi) {
        // the provider's type is known without initializing its class: only the ones kept are instantiated
        return ServiceLoader.load(spi, loader).stream()
                .filter(p -> !p.type().getName().equals(RANDOM_INSTANCE_ID))
                .map(ServiceLoader.Provider::get)
                .toList();
    }
}
