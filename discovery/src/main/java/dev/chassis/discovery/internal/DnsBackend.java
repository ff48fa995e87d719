package dev.chassis.discovery.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.config.Setting;
import dev.chassis.discovery.RegistryException;
import dev.chassis.discovery.ServiceInstance;
import dev.chassis.discovery.ServiceRegistry;
import dev.chassis.discovery.spi.BackendProvider;

/**
 * {@code discovery.backend: dns}: a name's instances are the A/AAAA records of {@code <name>.<domain>} (with
 * {@code discovery.dns.port}), or its SRV records {@code _<service>._tcp.<name>.<domain>} (each with its port) —
 * what Kubernetes headless services and Docker Compose provide. A watched name is looked up again when its records'
 * TTL runs out (at least every second, at most every {@code discovery.dns.max-refresh}). Registration is the
 * platform's: register and deregister do nothing. Not API.
 */
public final class DnsBackend implements BackendProvider {
    private static final System.Logger LOG = System.getLogger(DnsBackend.class.getName());
    static final Setting<List<String>> SERVERS = Setting.list("discovery.dns.servers", null)
            .describedAs("DNS servers, host or host:port; default: the nameservers of /etc/resolv.conf");
    static final Setting<String> DOMAIN = Setting.string("discovery.dns.domain", null)
            .describedAs("appended to a name: e.g. default.svc.cluster.local");
    static final Setting<Boolean> USE_SRV = Setting.bool("discovery.dns.srv", false)
            .describedAs("look up SRV records (with ports) instead of A/AAAA records");
    static final Setting<String> SRV_SERVICE = Setting.string("discovery.dns.srv-service", "http")
            .describedAs("the service label of SRV names: _<service>._tcp.<name>.<domain>");
    static final Setting<Integer> PORT = Setting.integer("discovery.dns.port", 8080).range(1, 65535)
            .describedAs("the port of instances found by A/AAAA records");
    static final Setting<Scheme> SCHEME = Setting.oneOf("discovery.dns.scheme", Scheme.class, Scheme.HTTP)
            .describedAs("how the instances found are called: http, or https when they serve TLS (server.tls)");
    static final Setting<Duration> TIMEOUT = Setting.duration("discovery.dns.timeout", Duration.ofSeconds(1)).min(10)
            .describedAs("how long a DNS server has to answer");
    static final Setting<Duration> MAX_REFRESH = Setting.duration("discovery.dns.max-refresh", Duration.ofSeconds(30))
            .min(1000).describedAs("the longest a watched name goes without a new lookup, whatever its TTL");

    @Override
    public String name() {
        return "dns";
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(SERVERS, DOMAIN, USE_SRV, SRV_SERVICE, PORT, SCHEME, TIMEOUT, MAX_REFRESH);
    }

    @Override
    public ServiceRegistry open(ServiceInfo service, Config config) {
        List<InetSocketAddress> servers = new ArrayList<>();
        List<String> configured = config.find(SERVERS).orElseGet(DnsBackend::resolvConf);
        for (String s : configured) {
            servers.add(address(s));
        }
        if (servers.isEmpty()) {
            throw new ConfigException(List.of("discovery.backend is dns, but no DNS server is known: set"
                    + " discovery.dns.servers (no nameserver in /etc/resolv.conf)"));
        }
        return new Registry(new DnsClient(servers, config.get(TIMEOUT)), config.find(DOMAIN).orElse(null),
                config.get(USE_SRV), config.get(SRV_SERVICE), config.get(PORT), config.get(MAX_REFRESH),
                config.get(SCHEME) == Scheme.HTTPS ? "https" : "http");
    }

    private static InetSocketAddress address(String s) {
        String host = s;
        int port = 53;
        int colon = s.lastIndexOf(':');
        if (colon > 0 && s.indexOf(':') == colon) {
            host = s.substring(0, colon);
            try {
                port = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new ConfigException(List.of("discovery.dns.servers: '" + s + "' is not host or host:port"));
            }
        }
        return new InetSocketAddress(host, port);
    }

    private static List<String> resolvConf() {
        try {
            return Files.readAllLines(Path.of("/etc/resolv.conf")).stream().map(String::strip)
                    .filter(l -> l.startsWith("nameserver")).map(l -> l.substring("nameserver".length()).strip())
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** How the instances DNS finds are called: DNS records do not say. */
    enum Scheme { HTTP, HTTPS }

    /** The lookups of one service. */
    static final class Registry implements ServiceRegistry {
        private final DnsClient dns;
        private final String domain;
        private final boolean srv;
        private final String srvService;
        private final int port;
        private final Duration maxRefresh;
        private final String scheme;
        private final ScheduledExecutorService refresh = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chassis-discovery-dns");
            t.setDaemon(true);
            return t;
        });
        private volatile boolean reachable = true;

        Registry(DnsClient dns, String domain, boolean srv, String srvService, int port, Duration maxRefresh,
                 String scheme) {
            this.dns = dns;
            this.domain = domain;
            this.srv = srv;
            this.srvService = srvService;
            this.port = port;
            this.maxRefresh = maxRefresh;
            this.scheme = scheme;
        }

        @Override
        public String backend() {
            return "dns";
        }

        @Override
        public void register(ServiceInstance instance) {
            // DNS names are the platform's (Kubernetes, Compose): nothing to do
        }

        @Override
        public void deregister(ServiceInstance instance) {
        }

        private String fqdn(String name) {
            return domain == null || domain.isBlank() ? name : name + "." + domain;
        }

        /** The instances and the shortest TTL of their records. */
        private record Lookup(List<ServiceInstance> instances, long ttlSeconds) {
        }

        private Lookup lookup(String name) {
            try {
                List<ServiceInstance> found = new ArrayList<>();
                long ttl = Long.MAX_VALUE;
                if (srv) {
                    DnsClient.Answer answer = dns.query("_" + srvService + "._tcp." + fqdn(name), DnsClient.SRV);
                    List<DnsClient.Record> records = new ArrayList<>(answer.records().stream()
                            .filter(r -> r.type() == DnsClient.SRV).toList());
                    records.sort(Comparator.comparingInt(DnsClient.Record::priority)); // the best priority only
                    int best = records.isEmpty() ? 0 : records.get(0).priority();
                    for (DnsClient.Record r : records) {
                        if (r.priority() == best) {
                            // the target's addresses, from the same servers (the JVM's resolver may not know them)
                            List<DnsClient.Record> addresses = dns.query(r.target(), DnsClient.A).records().stream()
                                    .filter(a -> a.type() == DnsClient.A).toList();
                            if (addresses.isEmpty()) {
                                addUnlessMalformed(found, name, r.target(), r.port());
                            }
                            for (DnsClient.Record a : addresses) {
                                found.add(instance(name, a.address(), r.port()));
                                ttl = Math.min(ttl, a.ttlSeconds());
                            }
                            ttl = Math.min(ttl, r.ttlSeconds());
                        }
                    }
                } else {
                    for (int type : new int[] {DnsClient.A, DnsClient.AAAA}) {
                        for (DnsClient.Record r : dns.query(fqdn(name), type).records()) {
                            if (r.type() == type) {
                                found.add(instance(name, r.address(), port));
                                ttl = Math.min(ttl, r.ttlSeconds());
                            }
                        }
                    }
                }
                reachable = true;
                found.sort(Comparator.comparing(ServiceInstance::id)); // servers rotate records: not a change
                return new Lookup(List.copyOf(found), ttl == Long.MAX_VALUE ? 5 : ttl);
            } catch (IOException e) {
                reachable = false;
                throw new RegistryException("DNS lookup of " + name + " failed: " + e.getMessage(), e);
            }
        }

        /** A target name from an SRV answer is the answer's text: one that is no host name is left out (logged). */
        private void addUnlessMalformed(List<ServiceInstance> found, String name, String host, int port) {
            try {
                found.add(instance(name, host, port));
            } catch (IllegalArgumentException e) {
                LOG.log(Level.WARNING, "discovery: ignoring an SRV answer for " + name + ": " + e.getMessage());
            }
        }

        private ServiceInstance instance(String name, String host, int port) {
            String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
            return new ServiceInstance(h + ":" + port, name, h, port, List.of("http", "grpc"), Map.of(),
                    ServiceInstance.Health.UP, scheme);
        }

        @Override
        public List<ServiceInstance> instances(String name) {
            return lookup(name).instances();
        }

        @Override
        public Watch watch(String name, Consumer<List<ServiceInstance>> listener) {
            DnsWatch w = new DnsWatch(name, listener);
            w.schedule(0);
            return w;
        }

        /** Looks a name up again when its TTL runs out; tells the listener when the instances changed. */
        private final class DnsWatch implements Watch, Runnable {
            private final String name;
            private final Consumer<List<ServiceInstance>> listener;
            private List<ServiceInstance> last;
            private ScheduledFuture<?> next;
            private boolean closed;

            DnsWatch(String name, Consumer<List<ServiceInstance>> listener) {
                this.name = name;
                this.listener = listener;
            }

            synchronized void schedule(long delayMillis) {
                if (!closed) {
                    next = refresh.schedule(this, delayMillis, TimeUnit.MILLISECONDS);
                }
            }

            @Override
            public void run() {
                long delay;
                try {
                    Lookup l = lookup(name);
                    if (!l.instances().equals(last)) {
                        last = l.instances();
                        listener.accept(l.instances());
                    }
                    delay = Math.clamp(l.ttlSeconds() * 1000, 1000, maxRefresh.toMillis());
                } catch (RuntimeException e) {
                    LOG.log(Level.DEBUG, () -> "DNS lookup of " + name + " failed; the last instances stay: " + e);
                    delay = 1000;
                }
                schedule(delay);
            }

            @Override
            public synchronized void close() {
                closed = true;
                if (next != null) {
                    next.cancel(false);
                }
            }
        }

        @Override
        public boolean reachable() {
            return reachable;
        }

        @Override
        public void close() {
            refresh.shutdownNow();
        }
    }
}
