package dev.chassis.discovery.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Config;
import dev.chassis.discovery.ServiceInstance;
import dev.chassis.discovery.ServiceRegistry;
import dev.chassis.discovery.spi.BackendProvider;

/**
 * {@code discovery.backend: static} (the default): instances come from {@code clients.<name>.url}, which Chassis
 * reads itself, and from the services of this JVM that registered (tests and one-process demos: services started in
 * one JVM find each other by name). Not API.
 */
public final class StaticBackend implements BackendProvider {
    /** The instances registered in this JVM, by name, shared by every service of the JVM. */
    private static final Map<String, List<ServiceInstance>> REGISTERED = new ConcurrentHashMap<>();
    private static final Map<String, List<Consumer<List<ServiceInstance>>>> WATCHERS = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "static";
    }

    @Override
    public boolean knowsEveryName() {
        return false;
    }

    /**
     * Callers of this JVM learn of a deregistration at once, but a call already on its way — an instance chosen, a
     * pooled connection taken — reaches the port a moment later: a full test run without this delay saw one such call
     * fail, once in about ten runs, when the port closed under it.
     */
    @Override
    public Duration propagationDelay() {
        return Duration.ofMillis(100);
    }

    @Override
    public ServiceRegistry open(ServiceInfo service, Config config) {
        return new ServiceRegistry() {
            @Override
            public String backend() {
                return "static";
            }

            @Override
            public void register(ServiceInstance instance) {
                REGISTERED.compute(instance.name(), (n, list) -> {
                    List<ServiceInstance> next = new ArrayList<>(list == null ? List.of() : list);
                    next.removeIf(i -> i.id().equals(instance.id()));
                    next.add(instance);
                    return List.copyOf(next);
                });
                changed(instance.name());
            }

            @Override
            public void deregister(ServiceInstance instance) {
                REGISTERED.computeIfPresent(instance.name(), (n, list) -> {
                    List<ServiceInstance> next = new ArrayList<>(list);
                    next.removeIf(i -> i.id().equals(instance.id()));
                    return next.isEmpty() ? null : List.copyOf(next);
                });
                changed(instance.name());
            }

            @Override
            public List<ServiceInstance> instances(String name) {
                return REGISTERED.getOrDefault(name, List.of());
            }

            @Override
            public Watch watch(String name, Consumer<List<ServiceInstance>> listener) {
                List<Consumer<List<ServiceInstance>>> list = WATCHERS.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>());
                list.add(listener);
                listener.accept(instances(name));
                return () -> list.remove(listener);
            }
        };
    }

    private static void changed(String name) {
        List<ServiceInstance> now = REGISTERED.getOrDefault(name, List.of());
        WATCHERS.getOrDefault(name, List.of()).forEach(w -> w.accept(now));
    }
}
