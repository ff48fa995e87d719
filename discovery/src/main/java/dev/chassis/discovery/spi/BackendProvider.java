package dev.chassis.discovery.spi;

import java.time.Duration;
import java.util.List;

import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.Setting;
import dev.chassis.core.spi.ExtensionContext;
import dev.chassis.discovery.ServiceRegistry;

/**
 * A registry back-end, found with {@link java.util.ServiceLoader} and chosen by {@code discovery.backend}: static
 * and DNS come with {@code chassis-discovery}, {@code chassis-discovery-etcd} and {@code -kubernetes} add theirs.
 */
public interface BackendProvider {
    /** The {@code discovery.backend} value that picks it. */
    String name();

    /** The configuration keys it reads. */
    default List<Setting<?>> settings() {
        return List.of();
    }

    /**
     * Whether a logical name is one this back-end answers for: a back-end that answers for every name (DNS, etcd,
     * Kubernetes) returns true; static configuration only for names it lists.
     */
    default boolean knowsEveryName() {
        return true;
    }

    /**
     * How long a deregistration takes to reach callers' watches: after deregistering, a stopping service waits this
     * long before it closes its port (unless {@code discovery.deregistration-delay} says otherwise). Zero (this
     * default) for back-ends whose callers learn it from the platform (DNS, Kubernetes readiness).
     */
    default Duration propagationDelay() {
        return Duration.ZERO;
    }

    /** Opens the registry for a service; closed when the service stops. */
    ServiceRegistry open(ServiceInfo service, Config config);

    /**
     * Opens the registry for the service being assembled; what the discovery module calls. The default calls
     * {@link #open(ServiceInfo, Config)}; a back-end that needs more of the context (a TLS bundle with
     * {@link ExtensionContext#tls}) overrides it.
     */
    default ServiceRegistry open(ExtensionContext context) {
        return open(context.service(), context.config());
    }
}
