package dev.chassis.discovery.internal;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.chassis.core.health.Health;
import dev.chassis.core.spi.TargetResolver;
import dev.chassis.discovery.ServiceInstance;
import dev.chassis.discovery.ServiceRegistry;

/**
 * What clients resolve logical names with: per name, the healthy instances the registry last reported, kept up to
 * date by a watch started on first use. When the registry cannot be reached, the last known instances stay in use;
 * the {@code discovery} readiness check stays UP (taking every service out of rotation because the registry is away
 * would turn a registry outage into an outage of everything) but says the instances are stale, and a warning is
 * logged. Not API.
 */
final class InstanceCache implements TargetResolver {
    private static final System.Logger LOG = System.getLogger(InstanceCache.class.getName());

    private final ServiceRegistry registry;
    private final boolean everyName;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private volatile boolean warned;

    private static final class Entry {
        final CountDownLatch looked = new CountDownLatch(1);
        volatile List<URI> up = List.of();
        volatile ServiceRegistry.Watch watch;
    }

    InstanceCache(ServiceRegistry registry, boolean everyName) {
        this.registry = registry;
        this.everyName = everyName;
    }

    @Override
    public Optional<List<URI>> resolve(String target) {
        Entry e = entries.get(target);
        if (e == null) {
            Entry fresh = new Entry();
            e = entries.putIfAbsent(target, fresh);
            if (e == null) {
                e = fresh;
                start(target, fresh); // the first lookup, outside the map's lock
            }
        }
        try {
            e.looked.await(10, TimeUnit.SECONDS); // a concurrent first caller's lookup
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        List<URI> up = e.up;
        if (!everyName && up.isEmpty()) {
            return Optional.empty(); // static: a name nobody registered is configuration's (clients.<name>.url)
        }
        return Optional.of(up);
    }

    private void start(String name, Entry e) {
        try {
            e.up = healthy(registry.instances(name));
        } catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "discovery: the " + registry.backend() + " registry cannot be reached to find " + name
                    + "; its instances come when it answers: " + ex.getMessage());
        } finally {
            e.looked.countDown();
        }
        e.watch = registry.watch(name, instances -> e.up = healthy(instances));
    }

    private static List<URI> healthy(List<ServiceInstance> instances) {
        return instances.stream().filter(i -> i.health() == ServiceInstance.Health.UP).map(ServiceInstance::uri)
                .distinct().toList();
    }

    /** The readiness of discovery: UP, with a note while the registry is away and the instances are the last known. */
    Health health() {
        if (registry.reachable()) {
            if (warned) {
                warned = false;
                LOG.log(Level.INFO, "discovery: the " + registry.backend() + " registry answers again");
            }
            return Health.up();
        }
        if (!warned) {
            warned = true;
            LOG.log(Level.WARNING, "discovery: the " + registry.backend() + " registry cannot be reached; clients use"
                    + " the last instances they knew");
        }
        return new Health(Health.Status.UP, Map.of("registry", "unreachable", "instances", "last known (stale)"));
    }

    void close() {
        entries.values().forEach(e -> {
            if (e.watch != null) {
                e.watch.close();
            }
        });
    }
}
