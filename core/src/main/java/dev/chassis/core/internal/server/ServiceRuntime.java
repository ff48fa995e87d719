package dev.chassis.core.internal.server;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.chassis.core.Json;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.Setting;
import dev.chassis.core.internal.config.ConfigLoader;
import dev.chassis.core.internal.config.LayeredConfig;
import dev.chassis.core.internal.http.EndpointBinder;
import dev.chassis.core.internal.http.ErrorResponder;
import dev.chassis.core.internal.http.ConnectionGuard;
import dev.chassis.core.internal.http.LifecycleFilter;
import dev.chassis.core.internal.http.ProblemDirectHandler;
import dev.chassis.core.internal.http.Route;
import dev.chassis.core.internal.http.RouteFallback;
import dev.chassis.core.internal.telemetry.HttpServerTelemetry;
import dev.chassis.core.internal.telemetry.Telemetry;
import dev.chassis.core.spi.ChassisExtension;
import io.helidon.http.DirectHandler;
import io.helidon.webserver.ErrorHandling;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http2.Http2Config;

/**
 * Builds and runs one service: configuration, extensions, bindings, the Helidon server, graceful
 * shutdown. Not API: use {@code Chassis.service(...)}.
 */
public final class ServiceRuntime implements RunningService {
    private static final System.Logger LOG = System.getLogger(ServiceRuntime.class.getName());
    private static final List<String> HTTP = List.of("http/1.1", "h2c");
    private static final List<String> HTTP_AND_GRPC = List.of("http/1.1", "h2c", "grpc");

    private final ServiceInfo info;
    private final LayeredConfig config;
    private final WebServer server;
    private final int port;
    private final ConnectionGuard guard;
    private final LifecycleFilter lifecycle;
    private final HealthRegistry health;
    private final Registrations registrations;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Thread shutdownHook;

    private ServiceRuntime(ServiceInfo info, LayeredConfig config, WebServer server, ConnectionGuard guard,
                           LifecycleFilter lifecycle, HealthRegistry health, Registrations registrations) {
        this.info = info;
        this.config = config;
        this.server = server;
        this.port = server.port();
        this.guard = guard;
        this.lifecycle = lifecycle;
        this.health = health;
        this.registrations = registrations;
        this.shutdownHook = config.get(CoreSettings.SHUTDOWN_HOOK)
                ? new Thread(this::stop, "chassis-shutdown-" + info.name()) : null;
    }

    /** Starts a service as described; returns when it is ready. */
    public static RunningService start(ServiceSpec spec) {
        Instant startTime = Instant.now();
        ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader() : ServiceRuntime.class.getClassLoader();
        LayeredConfig config = ConfigLoader.load(loader, System.getenv(), System.getProperties(), spec.properties());

        List<ChassisExtension> extensions = new ArrayList<>();
        ServiceLoader.load(ChassisExtension.class, loader).forEach(extensions::add);
        List<Setting<?>> declared = new ArrayList<>(CoreSettings.all());
        extensions.forEach(e -> declared.addAll(e.settings()));
        declared.addAll(spec.settings());
        config.validate(declared);
        checkExtensionNames(config, extensions);

        String version = config.find(CoreSettings.VERSION).orElse(spec.version() == null ? "0.0.0" : spec.version());
        String instanceId = config.find(CoreSettings.INSTANCE_ID)
                .orElseGet(() -> spec.name() + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
        // gRPC (and its health service) is set up only for services that serve gRPC: it costs an HTTP-only
        // service a fifth of its start-up time and 15 MB (see docs/benchmarks.md)
        boolean grpc = !spec.grpcServices().isEmpty();
        ServiceInfo info = new ServiceInfo(spec.name(), version, instanceId, startTime, grpc ? HTTP_AND_GRPC : HTTP);

        List<ChassisExtension> enabled = extensions.stream()
                .filter(e -> config.get(CoreSettings.EXTENSION_ENABLED.resolve(e.name()))).toList();
        // An SDK takes a while to set up (autoconfiguration, class loading): meanwhile this thread loads Helidon's
        // server classes, listing the protocols it discovers, which it needs further down anyway.
        java.util.concurrent.CompletableFuture<io.opentelemetry.api.OpenTelemetry> sdk =
                new java.util.concurrent.CompletableFuture<>();
        Thread.ofPlatform().daemon().name("chassis-telemetry-" + info.name()).start(() -> {
            Thread.currentThread().setContextClassLoader(loader);
            try {
                sdk.complete(openTelemetry(enabled, info, config));
            } catch (RuntimeException | Error e) {
                sdk.completeExceptionally(e);
            }
        });
        List<io.helidon.webserver.spi.ProtocolConfig> discovered;
        try {
            discovered = WebServer.builder().buildPrototype().protocols();
        } catch (RuntimeException | Error e) {
            sdk.thenAccept(ServiceRuntime::close); // do not leave the SDK's threads and listeners behind
            throw e;
        }
        io.opentelemetry.api.OpenTelemetry otel = join(sdk);
        Telemetry telemetry = Telemetry.of(otel);
        HealthRegistry health = new HealthRegistry(config.get(CoreSettings.HEALTH_TIMEOUT));
        Registrations reg = new Registrations(info, config, health, spec.clock(), telemetry);
        // stopped hooks run last-registered first: the SDK closes after everything that may still record with it
        reg.stopped().add(() -> close(otel));
        Assembled assembled;
        try {
            assembled = assemble(spec, config, info, health, reg, telemetry, enabled, discovered, grpc);
        } catch (RuntimeException | Error e) {
            runAll(reg.stopped(), "stopped"); // close the clients, channels and telemetry opened so far
            throw e;
        }
        WebServer server = assembled.server();
        ConnectionGuard guard = assembled.guard();
        LifecycleFilter lifecycle = assembled.lifecycle();
        ServiceRuntime runtime = new ServiceRuntime(info, config, server, guard, lifecycle, health, reg);
        try {
            health.state(HealthRegistry.State.SERVING);
            if (runtime.shutdownHook != null) {
                Runtime.getRuntime().addShutdownHook(runtime.shutdownHook);
            }
            LOG.log(Level.INFO, "{0} {1} ({2}) serving on port {3,number,#} after {4} ms{5}", info.name(), info.version(),
                    info.instanceId(), server.port(), Duration.between(startTime, Instant.now()).toMillis(),
                    config.profile().map(p -> " with profile " + p).orElse(""));
            reg.started().forEach(h -> h.accept(runtime));
        } catch (RuntimeException | Error e) {
            runtime.stop(); // a started hook failed: do not leave a half-started server behind
            throw e;
        }
        return runtime;
    }

    /** The server parts {@link #assemble} built. */
    private record Assembled(WebServer server, ConnectionGuard guard, LifecycleFilter lifecycle) {
    }

    /**
     * Registers the extensions, binds endpoints, clients and channels, and builds and starts the server. On
     * failure the caller runs the stopped hooks registered so far (clients, channels, telemetry).
     */
    private static Assembled assemble(ServiceSpec spec, LayeredConfig config, ServiceInfo info, HealthRegistry health,
                                      Registrations reg, Telemetry telemetry, List<ChassisExtension> enabled,
                                      List<io.helidon.webserver.spi.ProtocolConfig> discovered, boolean grpc) {
        spec.endpoints().forEach(reg::http);
        spec.checks().forEach(reg::healthCheck);
        reg.consumers(spec.consumers());
        enabled.forEach(reg::registerExtension);
        if (!spec.consumers().isEmpty() && !reg.consumersTaken()) {
            throw new dev.chassis.core.http.BindingException("message handlers were given to consume(...) ("
                    + spec.consumers().get(0).getClass().getName() + (spec.consumers().size() > 1 ? ", ..." : "")
                    + ") but no messaging module binds them. Fix: add the dependency dev.chassis:chassis-messaging"
                    + " (or enable it: chassis.extensions.messaging.enabled)");
        }
        List<ComponentSlot<?>> slots = new ArrayList<>(spec.components());
        slots.addAll(reg.wanted());
        for (ComponentSlot<?> slot : slots) {
            Object instance = reg.provided().get(slot.type());
            if (instance == null) {
                throw new dev.chassis.core.http.BindingException("component(" + slot.type().getName() + ".class) was"
                        + " asked for, but no extension on the class path provides it. Fix: add the module that"
                        + " provides it (Publisher and DeadLetters: dev.chassis:chassis-messaging; DataSource, Outbox and Inbox: dev.chassis:chassis-messaging-jdbc), or enable it");
            }
            slot.bind(instance);
        }
        List<Route> routes = reg.bindRoutes(new EndpointBinder(Json.mapper(), info.name(), reg.decorators(),
                reg.idempotencyStore() == null ? null : new dev.chassis.core.internal.http.IdempotentRequests(
                        reg.idempotencyStore())));
        EndpointBinder.checkDuplicates(routes);
        routes = EndpointBinder.withHeadRoutes(routes);
        List<dev.chassis.core.internal.http.ClientTarget> targets = Clients.bind(spec.clients(), config, reg.resolvers(),
                reg.decorators(), telemetry);
        reg.stopped().add(() -> targets.forEach(dev.chassis.core.internal.http.ClientTarget::close));
        for (dev.chassis.core.internal.grpc.ChassisChannel channel : spec.grpcChannels()) {
            if (!Clients.known(channel.target(), config, reg.resolvers())) {
                throw new dev.chassis.core.config.ConfigException(List.of("the gRPC channel to '" + channel.target()
                        + "' has nowhere to go: set clients." + channel.target()
                        + ".url (e.g. http://localhost:8081) or add a discovery module"));
            }
            channel.connect(Clients.resolver(config, reg.resolvers()),
                    config.get(CoreSettings.CLIENT_REQUEST_TIMEOUT.resolve(channel.target())),
                    config.get(CoreSettings.CLIENT_RESOLVE_INTERVAL.resolve(channel.target())),
                    withTelemetry(telemetry, channel.target(), reg.grpcClientInterceptors()));
            reg.stopped().add(channel::close);
        }

        LifecycleFilter lifecycle = new LifecycleFilter();
        HttpRouting.Builder routing = HttpRouting.builder();
        routing.addFilter(lifecycle);
        ErrorResponder errors = new ErrorResponder(spec.mappers());
        if (telemetry.enabled()) {
            routing.addFilter(new HttpServerTelemetry(telemetry, errors));
        }
        reg.filters().forEach(routing::addFilter);
        routes.stream()
                .sorted(Comparator.comparingInt(Route::specificity).reversed())
                .forEach(r -> routing.route(r.method(), r.path(), r.handler()));
        spec.routing().forEach(c -> c.accept(routing));
        routing.any(new RouteFallback(routes));
        routing.error(Throwable.class, errors);

        ProblemDirectHandler direct = new ProblemDirectHandler();
        DirectHandlers.Builder directHandlers = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            directHandlers.addHandler(type, direct);
        }
        Duration idle = config.get(CoreSettings.IDLE_TIMEOUT);
        int maxHeaders = Math.toIntExact(config.get(CoreSettings.MAX_HEADERS));
        // The guard is the listener's only connection selector: it serves HTTP/1.1 and HTTP/2 with the protocol
        // configurations Helidon discovers (gRPC among them), which a throwaway prototype lists for us.
        ConnectionGuard guard = new ConnectionGuard(config.get(CoreSettings.HEADER_TIMEOUT),
                Http1Config.builder().maxHeadersSize(maxHeaders),
                Http2Config.builder().maxHeaderListSize(maxHeaders).build(),
                WebServer.DEFAULT_SOCKET_NAME, discovered, Math.toIntExact(config.get(CoreSettings.GRPC_MAX_MESSAGE)));
        WebServer server;
        try {
            WebServerConfig.Builder builder = WebServer.builder()
                    .host(config.get(CoreSettings.HOST))
                    .port(config.get(CoreSettings.PORT))
                    .shutdownHook(false)
                    .maxPayloadSize(config.get(CoreSettings.MAX_BODY))
                    .idleConnectionTimeout(idle)
                    .idleConnectionPeriod(Duration.ofMillis(Math.max(100, Math.min(idle.toMillis() / 4, 10_000))))
                    .shutdownGracePeriod(Duration.ofSeconds(1))
                    .errorHandling(ErrorHandling.builder().includeEntity(true).build())
                    .directHandlers(directHandlers.build())
                    .protocolsDiscoverServices(false)
                    .addConnectionSelector(guard)
                    .routing(routing);
            if (grpc) {
                builder.addRouting(dev.chassis.core.internal.grpc.GrpcServices.routing(spec.grpcServices(), health,
                                config.get(CoreSettings.HEALTH_WATCH_INTERVAL), reg.grpcServerInterceptors(), lifecycle,
                                reg.stopping()::add, telemetry))
                        // grpc.reflection.v1 (and v1alpha for older tools), so that grpcurl and friends can list and call
                        .addFeature(io.helidon.webserver.grpc.GrpcReflectionFeature.create(r -> r.enabled(true)));
            }
            server = builder.build().start();
            if (!server.isRunning() || server.port() < 0) {
                if (server.isRunning()) {
                    server.stop();
                }
                throw new IllegalStateException("cannot listen on " + config.get(CoreSettings.HOST) + ":"
                        + config.get(CoreSettings.PORT) + " (server.host, server.port): the port is in use or not allowed");
            }
        } catch (RuntimeException e) {
            guard.close();
            throw e;
        }
        return new Assembled(server, guard, lifecycle);
    }

    /** The value of a future completed by another thread; its failure is rethrown as it was thrown. */
    private static <T> T join(java.util.concurrent.CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** Closes an SDK that is {@link AutoCloseable} (flushes and stops its threads); null and others are left. */
    private static void close(io.opentelemetry.api.OpenTelemetry otel) {
        if (otel instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "closing the OpenTelemetry SDK failed", e);
            }
        }
    }

    /** The SDK the one enabled extension that brings one returns, or null. */
    private static io.opentelemetry.api.OpenTelemetry openTelemetry(List<ChassisExtension> extensions, ServiceInfo info,
                                                                     Config config) {
        io.opentelemetry.api.OpenTelemetry found = null;
        String from = null;
        for (ChassisExtension e : extensions) {
            io.opentelemetry.api.OpenTelemetry o = e.openTelemetry(info, config);
            if (o != null && found != null) {
                close(o);
                close(found);
                throw new dev.chassis.core.config.ConfigException(List.of("the extensions " + from + " and " + e.name()
                        + " both bring an OpenTelemetry SDK; turn one off with chassis.extensions.<name>.enabled: false"));
            }
            if (o != null) {
                found = o;
                from = e.name();
            }
        }
        return found;
    }

    /** The channel's interceptors: its client spans outermost, when telemetry is on, then the extensions'. */
    private static List<io.grpc.ClientInterceptor> withTelemetry(Telemetry telemetry, String target,
                                                                 List<io.grpc.ClientInterceptor> hooks) {
        if (!telemetry.enabled()) {
            return hooks;
        }
        List<io.grpc.ClientInterceptor> all = new ArrayList<>();
        all.add(new dev.chassis.core.internal.telemetry.GrpcTelemetry(telemetry).clientInterceptor(target));
        all.addAll(hooks);
        return all;
    }

    /** {@code chassis.extensions.<name>.*} must name an extension on the class path: a typo must not go unnoticed. */
    private static void checkExtensionNames(LayeredConfig config, List<ChassisExtension> extensions) {
        List<String> names = extensions.stream().map(ChassisExtension::name).sorted().toList();
        List<String> problems = new ArrayList<>();
        for (String n : config.names("chassis.extensions")) {
            if (!names.contains(n)) {
                problems.add("chassis.extensions." + n + " (from " + config.sourceOf("chassis.extensions." + n + ".enabled")
                        .orElse("configuration") + ") names no extension on the class path; extensions: "
                        + String.join(", ", names));
            }
        }
        if (!problems.isEmpty()) {
            throw new dev.chassis.core.config.ConfigException(problems);
        }
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public URI uri() {
        return URI.create("http://localhost:" + port);
    }

    @Override
    public ServiceInfo info() {
        return info;
    }

    @Override
    public Config config() {
        return config;
    }

    @Override
    public boolean isRunning() {
        return terminated.getCount() > 0 && server.isRunning();
    }

    @Override
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            awaitTermination(); // someone else is stopping us: return when they are done
            return;
        }
        long begin = System.nanoTime();
        try {
            health.state(HealthRegistry.State.STOPPING);
            LOG.log(Level.INFO, "{0}: shutting down; readiness is DOWN", info.name());
            runAll(registrations.stopping(), "stopping");
            sleep(config.get(CoreSettings.SHUTDOWN_DELAY));
            lifecycle.drain();
            long deadline = System.nanoTime() + config.get(CoreSettings.SHUTDOWN_TIMEOUT).toNanos();
            while (lifecycle.inFlight() > 0 && System.nanoTime() - deadline < 0) {
                sleep(Duration.ofMillis(5));
            }
            long left = lifecycle.inFlight();
            if (left > 0) {
                LOG.log(Level.WARNING, "{0}: {1} requests still in flight after the shutdown timeout; closing anyway",
                        info.name(), left);
            }
        } finally {
            try {
                server.stop();
            } finally {
                guard.close();
                runAll(registrations.stopped(), "stopped");
                if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
                    try {
                        Runtime.getRuntime().removeShutdownHook(shutdownHook);
                    } catch (IllegalStateException alreadyShuttingDown) {
                        // the JVM is exiting; the hook is running or about to and will find us stopped
                    }
                }
                terminated.countDown();
                LOG.log(Level.INFO, "{0}: stopped after {1} ms", info.name(), (System.nanoTime() - begin) / 1_000_000);
            }
        }
    }

    private void awaitTermination() {
        try {
            terminated.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs hooks; {@code stopped} hooks run last-registered first, as resources are closed in reverse. */
    private static void runAll(List<Runnable> hooks, String phase) {
        for (Runnable r : phase.equals("stopped") ? hooks.reversed() : hooks) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a " + phase + " hook failed", e);
            }
        }
    }

    private static void sleep(Duration d) {
        if (d.isZero()) {
            return;
        }
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
