package dev.chassis.discovery.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

import dev.chassis.core.RunningService;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.config.Setting;
import dev.chassis.core.health.HealthCheck;
import dev.chassis.core.internal.shared.Backoff;
import dev.chassis.core.spi.ChassisExtension;
import dev.chassis.core.spi.ExtensionContext;
import dev.chassis.discovery.RegistryException;
import dev.chassis.discovery.ServiceInstance;
import dev.chassis.discovery.ServiceRegistry;
import dev.chassis.discovery.spi.BackendProvider;

/**
 * {@code chassis-discovery}: opens the registry {@code discovery.backend} names, resolves clients' and channels'
 * logical names through it, registers the service when it is ready and deregisters it first thing on shutdown.
 * Not API.
 */
public final class DiscoveryExtension implements ChassisExtension {
    private static final System.Logger LOG = System.getLogger(DiscoveryExtension.class.getName());
    /** Registering again after the registry refused: 1 s, doubling up to 5 s, jittered so instances spread out. */
    static final Backoff REREGISTER = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(5)).withJitter(0.5);
    static final Setting<String> BACKEND = Setting.string("discovery.backend", "static")
            .describedAs("where instances are found: static, dns, kubernetes, etcd");
    static final Setting<Boolean> REGISTER = Setting.bool("discovery.register", true)
            .describedAs("whether the service registers itself when ready");
    static final Setting<Duration> DEREGISTRATION_DELAY = Setting.duration("discovery.deregistration-delay",
            null).describedAs("after deregistering, how long a stopping service keeps serving so that callers' watches"
                    + " see it leave; default: the back-end's (etcd 1s, static 100ms, others 0)");
    static final Setting<String> HOST = Setting.string("discovery.advertise-host", null)
            .describedAs("the address others reach this instance at; default: a site-local address of this"
                    + " machine (a pod's IP), else the loopback address");

    @Override
    public String name() {
        return "discovery";
    }

    private static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class, DiscoveryExtension.class.getClassLoader()).forEach(list::add);
        return list;
    }

    @Override
    public List<Setting<?>> settings() {
        List<Setting<?>> all = new ArrayList<>(List.of(BACKEND, REGISTER, HOST, DEREGISTRATION_DELAY));
        providers().forEach(p -> all.addAll(p.settings()));
        return all;
    }

    @Override
    public void register(ExtensionContext context) {
        Config config = context.config();
        String name = config.get(BACKEND);
        List<BackendProvider> providers = providers();
        BackendProvider provider = providers.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new ConfigException(List.of("discovery.backend is '" + name + "', but no such back-end"
                        + " is on the class path; available: " + String.join(", ", providers.stream()
                        .map(BackendProvider::name).toList()) + (name.equals("etcd") || name.equals("kubernetes")
                        ? " (add dev.chassis:chassis-discovery-" + name + ")" : ""))));
        ServiceRegistry registry = provider.open(context);
        InstanceCache cache = new InstanceCache(registry, provider.knowsEveryName());
        context.lifecycle().onStopped(() -> {
            cache.close();
            registry.close();
        });
        context.components().provide(ServiceRegistry.class, registry);
        context.calls().targetResolver(cache);
        context.health().add(HealthCheck.readiness("discovery", cache::health));
        if (!config.get(REGISTER)) {
            return;
        }
        Duration deregistration = config.find(DEREGISTRATION_DELAY).orElse(provider.propagationDelay());
        if (!deregistration.isZero()) {
            context.lifecycle().shutdownTakes(DEREGISTRATION_DELAY.key() + (config.find(DEREGISTRATION_DELAY).isEmpty()
                    ? " (" + provider.name() + "'s default)" : ""), deregistration);
        }
        AtomicReference<ServiceInstance> self = new AtomicReference<>();
        // a retried registration and the deregistration at shutdown, one at a time; a lock, not a monitor: both wait
        // on the registry, and a virtual thread waiting inside a monitor pins its carrier (JDK 21-23)
        ReentrantLock selfLock = new ReentrantLock();
        AtomicBoolean stopping = new AtomicBoolean();
        context.lifecycle().onStarted(running -> {
            ServiceInstance me = self(context, config, running);
            if (!register(registry, me)) {
                // the service serves anyway; keep trying in the background until the registry takes it
                LOG.log(Level.WARNING, "discovery: " + me.name() + " could not register with the " + registry.backend()
                        + " registry; trying again every " + REREGISTER.max().toSeconds() + " s at most");
                Thread.ofVirtual().name("chassis-discovery-register").start(() -> {
                    int attempt = 0;
                    while (!stopping.get()) {
                        try {
                            Thread.sleep(REREGISTER.delay(++attempt));
                        } catch (InterruptedException e) {
                            return;
                        }
                        selfLock.lock();
                        try {
                            if (!stopping.get() && register(registry, me)) {
                                self.set(me);
                                LOG.log(Level.INFO, "discovery: " + me.name() + " registered with the "
                                        + registry.backend() + " registry");
                                return;
                            }
                        } finally {
                            selfLock.unlock();
                        }
                    }
                });
            } else {
                self.set(me);
            }
            if (me.host().equals(InetAddress.getLoopbackAddress().getHostAddress()) && !registry.backend().equals("static")
                    && config.find(HOST).isEmpty()) {
                LOG.log(Level.WARNING, "discovery: " + me.name() + " registered with a loopback address (no network"
                        + " address found): only this machine can reach it; set discovery.advertise-host");
            }
        });
        context.lifecycle().onStopping(() -> {
            ServiceInstance me;
            selfLock.lock();
            try {
                stopping.set(true);
                me = self.getAndSet(null);
            } finally {
                selfLock.unlock();
            }
            if (me != null) {
                try {
                    registry.deregister(me); // first thing: clients stop picking this instance while it drains
                    // then keep serving while callers' watches learn it, before the port closes
                    if (!deregistration.isZero()) {
                        Thread.sleep(deregistration.toMillis());
                    }
                } catch (RegistryException e) {
                    LOG.log(Level.WARNING, "discovery: " + me.name() + " could not deregister; its lease expires: "
                            + e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
    }

    private static boolean register(ServiceRegistry registry, ServiceInstance me) {
        try {
            registry.register(me);
            return true;
        } catch (RegistryException e) {
            LOG.log(Level.DEBUG, () -> "discovery: registering failed: " + e.getMessage());
            return false;
        }
    }

    private static ServiceInstance self(ExtensionContext context, Config config, RunningService running) {
        String host = config.find(HOST).orElseGet(DiscoveryExtension::siteLocalAddress);
        return new ServiceInstance(context.service().instanceId(), context.service().name(), host, running.port(),
                context.service().protocols(), Map.of("version", context.service().version()), ServiceInstance.Health.UP,
                running.uri().getScheme()); // https when the port serves TLS (server.tls.bundle)
    }

    /**
     * The address of the interface of the default route (found by connecting a UDP socket, which sends nothing),
     * else a site-local IPv4 address of this machine, else the loopback address.
     */
    private static String siteLocalAddress() {
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(InetAddress.getByAddress(new byte[] {10, (byte) 255, (byte) 255, (byte) 254}), 9);
            InetAddress local = probe.getLocalAddress();
            if (local != null && !local.isAnyLocalAddress() && !local.isLoopbackAddress()) {
                return local.getHostAddress();
            }
        } catch (IOException | RuntimeException e) {
            // no route: look at the interfaces
        }
        try {
            for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress a : nic.inetAddresses().toList()) {
                    if (a instanceof Inet4Address && a.isSiteLocalAddress()) {
                        return a.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            // fall through
        }
        return InetAddress.getLoopbackAddress().getHostAddress();
    }
}
