package dev.chassis.discovery.etcd.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import javax.net.ssl.SSLException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chassis.core.Json;
import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.config.Setting;
import dev.chassis.core.internal.shared.Backoff;
import dev.chassis.core.spi.ClientTls;
import dev.chassis.core.spi.ExtensionContext;
import dev.chassis.discovery.RegistryException;
import dev.chassis.discovery.ServiceInstance;
import dev.chassis.discovery.ServiceRegistry;
import dev.chassis.discovery.spi.BackendProvider;

/**
 * {@code discovery.backend: etcd}: instances are keys {@code <prefix><name>/<instance-id>} holding the instance as
 * JSON, attached to a lease that the registering service keeps alive; an instance that dies without deregistering
 * disappears when its lease expires. Watches follow a name's keys. Spoken over etcd's JSON gateway (the v3 API over
 * HTTP), so no gRPC stack beside Chassis' own. Not API.
 */
public final class EtcdBackend implements BackendProvider {
    private static final System.Logger LOG = System.getLogger(EtcdBackend.class.getName());
    /** Watching again after etcd went away: 1 s, doubling to 5 s while it stays away, jittered a little. */
    static final Backoff REWATCH = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(5)).withJitter(0.2);
    static final Setting<List<String>> ENDPOINTS = Setting.list("discovery.etcd.endpoints",
            List.of("http://127.0.0.1:2379")).describedAs("etcd client URLs, tried in turn");
    static final Setting<String> PREFIX = Setting.string("discovery.etcd.prefix", "/chassis/services/")
            .describedAs("the key prefix of instances");
    static final Setting<Duration> TTL = Setting.duration("discovery.etcd.ttl", Duration.ofSeconds(10)).min(1000)
            .describedAs("the lease of a registration: how long a dead instance stays listed");
    static final Setting<Duration> TIMEOUT = Setting.duration("discovery.etcd.timeout", Duration.ofSeconds(2)).min(10)
            .describedAs("how long a request to etcd may take");
    static final Setting<String> TLS_BUNDLE = Setting.string("discovery.etcd.tls.bundle", null)
            .describedAs("the tls.bundles name to reach etcd over https with: its certificate is the client's"
                    + " (--client-cert-auth), its trust checks etcd's certificate and host name");

    @Override
    public String name() {
        return "etcd";
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(ENDPOINTS, PREFIX, TTL, TIMEOUT, TLS_BUNDLE);
    }

    /** A watch event, then a re-list over HTTP: well under a second on a healthy etcd. */
    @Override
    public Duration propagationDelay() {
        return Duration.ofSeconds(1);
    }

    @Override
    public ServiceRegistry open(ServiceInfo service, Config config) {
        return open(config, null);
    }

    @Override
    public ServiceRegistry open(ExtensionContext context) {
        ClientTls tls = context.tls(TLS_BUNDLE).orElse(null);
        Registry registry = open(context.config(), tls);
        if (tls != null) {
            registry.checkTls();
        }
        return registry;
    }

    private static Registry open(Config config, ClientTls tls) {
        List<URI> endpoints = new ArrayList<>();
        for (String e : config.get(ENDPOINTS)) {
            URI u = URI.create(e.endsWith("/") ? e.substring(0, e.length() - 1) : e);
            if (u.getScheme() == null || u.getHost() == null) {
                throw new ConfigException(List.of("discovery.etcd.endpoints: '" + e
                        + "' is not a URL like http://etcd:2379"));
            }
            if (tls != null && !u.getScheme().equals("https")) {
                throw new ConfigException(List.of("discovery.etcd.endpoints: '" + e + "' is not https, and "
                        + TLS_BUNDLE.key() + " = '" + tls.name() + "' is set: use https://"));
            }
            endpoints.add(u);
        }
        String prefix = config.get(PREFIX);
        return new Registry(endpoints, prefix.endsWith("/") ? prefix : prefix + "/", config.get(TTL), config.get(TIMEOUT),
                tls);
    }

    /** One service's connection to etcd. */
    static final class Registry implements ServiceRegistry {
        private final List<URI> endpoints;
        private final String prefix;
        private final Duration ttl;
        private final Duration timeout;
        private final HttpClient http;
        private final ClientTls tls;
        private final ObjectMapper json = Json.mapper();
        private final Map<String, Registration> registrations = new ConcurrentHashMap<>();
        private final List<Thread> watchers = new CopyOnWriteArrayList<>();
        private volatile boolean reachable = true;
        private volatile boolean closed;

        /** {@code tls}: the bundle to reach etcd with, or null. */
        Registry(List<URI> endpoints, String prefix, Duration ttl, Duration timeout, ClientTls tls) {
            this.endpoints = List.copyOf(endpoints);
            this.prefix = prefix;
            this.ttl = ttl;
            this.timeout = timeout;
            this.tls = tls;
            HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1);
            if (tls != null) {
                http.sslContext(tls.context()).sslParameters(tls.parameters());
            }
            this.http = http.build();
        }

        /**
         * Asks every endpoint for its status once: a TLS refusal (a certificate that does not chain, no client
         * certificate) does not heal by waiting, so it stops start-up; etcd down does not.
         *
         * @throws IllegalStateException naming the bundle and the endpoint
         */
        void checkTls() {
            for (URI endpoint : endpoints) {
                try {
                    http.send(HttpRequest.newBuilder(endpoint.resolve("/v3/maintenance/status")).timeout(timeout)
                            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.discarding());
                } catch (IOException e) {
                    // TLS 1.3: a server that wants a client certificate checks it after the client's handshake, and
                    // may close before its alert is read — a connection that opened and then ended, with no key to give
                    boolean refusedAfterHandshake = !tls.hasKey() && !(e instanceof ConnectException)
                            && !(e instanceof HttpConnectTimeoutException) && !(e instanceof HttpTimeoutException);
                    if (tlsFailure(e) || refusedAfterHandshake) {
                        close();
                        throw new IllegalStateException("discovery: " + tls.handshakeFailure("etcd at " + endpoint, e), e);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    close();
                    throw new IllegalStateException("interrupted while checking TLS with etcd", e);
                }
            }
        }

        private boolean tlsFailure(Throwable e) {
            for (Throwable t = e; tls != null && t != null; t = t.getCause()) {
                if (t instanceof SSLException) {
                    return true;
                }
            }
            return false;
        }

        /** Why {@code endpoint} cannot be reached, naming the bundle when TLS refused. */
        private String unreachable(URI endpoint, IOException e) {
            return tlsFailure(e) ? tls.handshakeFailure("etcd at " + endpoint, e)
                    : "etcd at " + endpoint + " cannot be reached: " + e;
        }

        /** A registered instance and the thread keeping its lease alive. */
        private final class Registration {
            final ServiceInstance instance;
            volatile String lease;
            final Thread keeper;

            Registration(ServiceInstance instance) {
                this.instance = instance;
                this.keeper = Thread.ofVirtual().name("chassis-etcd-lease").unstarted(this::keepAlive);
            }

            /** A new lease and the key under it; {@code lease} is set only once both are written. */
            void put() {
                JsonNode granted = call("/v3/lease/grant", Map.of("TTL", ttl.toSeconds()));
                String id = granted.path("ID").asText();
                try {
                    call("/v3/kv/put", Map.of("key", b64(key(instance)), "value",
                            b64(json.writeValueAsString(instance)), "lease", id));
                } catch (IOException e) {
                    throw new RegistryException("the instance cannot be written as JSON", e);
                }
                lease = id;
            }

            private void keepAlive() {
                long every = Math.max(200, ttl.toMillis() / 3);
                while (!closed && registrations.get(instance.id()) == this) {
                    try {
                        Thread.sleep(every);
                        if (lease == null) {
                            put(); // the last attempt to write the key failed: write it again
                            continue;
                        }
                        JsonNode r = call("/v3/lease/keepalive", Map.of("ID", lease));
                        if (r.path("result").path("TTL").asLong(0) <= 0) {
                            lease = null;
                            LOG.log(Level.WARNING, "discovery: the etcd lease of " + instance.id() + " expired;"
                                    + " registering again");
                            put();
                        }
                    } catch (InterruptedException e) {
                        return;
                    } catch (RegistryException e) {
                        LOG.log(Level.DEBUG, () -> "discovery: keeping the etcd lease alive failed: " + e.getMessage());
                    }
                }
            }
        }

        @Override
        public String backend() {
            return "etcd";
        }

        private String key(ServiceInstance i) {
            return prefix + i.name() + "/" + i.id();
        }

        private static String b64(String s) {
            return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
        }

        /** The first key after every key with this prefix: etcd's range end for a prefix. */
        private static String prefixEnd(String p) {
            byte[] b = p.getBytes(StandardCharsets.UTF_8);
            b[b.length - 1]++;
            return Base64.getEncoder().encodeToString(b);
        }

        /** A unary request to the first endpoint that answers. */
        JsonNode call(String path, Object body) {
            RuntimeException last = null;
            for (URI endpoint : endpoints) {
                try {
                    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(endpoint.resolve(path)).timeout(timeout)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body))).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    if (r.statusCode() != 200) {
                        throw new RegistryException("etcd answered " + r.statusCode() + " to " + path + ": "
                                + new String(r.body(), StandardCharsets.UTF_8), null);
                    }
                    reachable = true;
                    return json.readTree(r.body());
                } catch (IOException e) {
                    last = new RegistryException(unreachable(endpoint, e), e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RegistryException("interrupted while calling etcd", e);
                }
            }
            reachable = false;
            throw last;
        }

        @Override
        public void register(ServiceInstance instance) {
            Registration r = new Registration(instance);
            r.put();
            Registration previous = registrations.put(instance.id(), r);
            if (previous != null) {
                previous.keeper.interrupt();
            }
            r.keeper.start();
        }

        @Override
        public void deregister(ServiceInstance instance) {
            Registration r = registrations.remove(instance.id());
            if (r != null) {
                r.keeper.interrupt();
                String lease = r.lease;
                if (lease != null) {
                    call("/v3/lease/revoke", Map.of("ID", lease)); // deletes the key with it
                }
            }
            call("/v3/kv/deleterange", Map.of("key", b64(key(instance))));
        }

        /** The instances of a name and the revision they were read at. */
        private record Listing(List<ServiceInstance> instances, long revision) {
        }

        private Listing list(String name) {
            String p = prefix + name + "/";
            JsonNode r = call("/v3/kv/range", Map.of("key", b64(p), "range_end", prefixEnd(p)));
            List<ServiceInstance> out = new ArrayList<>();
            for (JsonNode kv : r.path("kvs")) {
                try {
                    out.add(json.readValue(Base64.getDecoder().decode(kv.path("value").asText()), ServiceInstance.class));
                } catch (IOException | IllegalArgumentException e) {
                    LOG.log(Level.WARNING, "discovery: ignoring an unreadable etcd entry under " + p + ": " + e);
                }
            }
            return new Listing(List.copyOf(out), r.path("header").path("revision").asLong());
        }

        @Override
        public List<ServiceInstance> instances(String name) {
            return list(name).instances();
        }

        @Override
        public Watch watch(String name, Consumer<List<ServiceInstance>> listener) {
            Thread t = Thread.ofVirtual().name("chassis-etcd-watch-" + name).start(() -> follow(name, listener));
            watchers.add(t);
            return () -> {
                watchers.remove(t);
                t.interrupt();
            };
        }

        /**
         * Lists the name's instances, then follows its keys from the next revision; on any event lists again. When
         * etcd goes away, tries again after a second, then less often while it stays away (at most every
         * 5 s); the listener keeps what it had.
         */
        private void follow(String name, Consumer<List<ServiceInstance>> listener) {
            String p = prefix + name + "/";
            int failures = 0;
            while (!closed && !Thread.currentThread().isInterrupted()) {
                try {
                    Listing l = list(name);
                    failures = 0;
                    listener.accept(l.instances());
                    stream(p, l.revision() + 1, () -> listener.accept(list(name).instances()));
                } catch (RegistryException e) {
                    LOG.log(Level.DEBUG, () -> "discovery: watching " + name + " in etcd failed: " + e.getMessage());
                } catch (RuntimeException e) { // the watch must outlive whatever a listing or a listener threw
                    LOG.log(Level.WARNING, "discovery: watching " + name + " in etcd failed; watching again", e);
                }
                try {
                    Thread.sleep(REWATCH.delay(++failures));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** One watch stream; returns when it ends (etcd went away, or the watch was closed). */
        private void stream(String p, long revision, Runnable onEvent) {
            for (URI endpoint : endpoints) {
                try {
                    Map<String, Object> create = Map.of("create_request", Map.of("key", b64(p), "range_end", prefixEnd(p),
                            "start_revision", revision, "progress_notify", true));
                    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(endpoint.resolve("/v3/watch"))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(create))).build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    reachable = true;
                    try (InputStream in = r.body(); MappingIterator<JsonNode> messages = json.readerFor(JsonNode.class)
                            .readValues(in)) {
                        while (messages.hasNextValue()) {
                            JsonNode m = messages.nextValue();
                            if (m.has("error") || m.path("result").path("canceled").asBoolean(false)) {
                                return; // cancelled or compacted: list again and watch anew
                            }
                            if (m.path("result").path("events").size() > 0) {
                                onEvent.run();
                            }
                        }
                    }
                    return;
                } catch (IOException | RuntimeException e) {
                    // next endpoint
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            reachable = false;
        }

        @Override
        public boolean reachable() {
            return reachable;
        }

        @Override
        public void close() {
            closed = true;
            registrations.values().forEach(r -> r.keeper.interrupt());
            watchers.forEach(Thread::interrupt);
            http.close();
        }
    }
}
