package dev.chassis.discovery;

import java.util.List;
import java.util.function.Consumer;

/**
 * Where services find each other (STANDARD §8): static configuration, DNS, Kubernetes or etcd behind one API. A
 * service gets the one its configuration names with {@code service.component(ServiceRegistry.class)}; Chassis
 * already registers the service itself when it is ready and resolves clients' logical names through it, so most
 * code never calls it.
 */
public interface ServiceRegistry extends AutoCloseable {
    /** The back-end's name: {@code static}, {@code dns}, {@code kubernetes}, {@code etcd}. */
    String backend();

    /**
     * Registers an instance (with a lease kept alive while this service runs, where the back-end has leases).
     * Back-ends where the platform registers instances (DNS, Kubernetes) accept and ignore it.
     *
     * @throws RegistryException when the registry cannot be reached
     */
    void register(ServiceInstance instance);

    /** Removes an instance; nothing happens when it is not registered. */
    void deregister(ServiceInstance instance);

    /**
     * The instances of a name, healthy or not, as the registry has them now.
     *
     * @throws RegistryException when the registry cannot be reached
     */
    List<ServiceInstance> instances(String name);

    /**
     * Calls {@code listener} with the instances of a name whenever they change (and once, soon, with the current
     * ones), until the returned watch is closed.
     */
    Watch watch(String name, Consumer<List<ServiceInstance>> listener);

    /**
     * Whether the registry answered its last request or watch. While it does not, clients keep using the last
     * instances they know, and the service's readiness says so.
     */
    default boolean reachable() {
        return true;
    }

    /** Releases connections, leases and watches; Chassis calls it when the service stops. */
    @Override
    default void close() {
    }

    /** A running watch. */
    interface Watch extends AutoCloseable {
        @Override
        void close();
    }
}
