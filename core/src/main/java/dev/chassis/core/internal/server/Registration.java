package dev.chassis.core.internal.server;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.chassis.core.Json;
import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.config.Setting;
import dev.chassis.core.internal.telemetry.Telemetry;
import dev.chassis.core.internal.tls.TlsBundles;
import dev.chassis.core.internal.validation.Validation;
import dev.chassis.core.spi.ChassisExtension;
import dev.chassis.core.spi.ClientTls;
import dev.chassis.core.spi.Constraints;
import dev.chassis.core.spi.MessageHandlers;
import dev.chassis.core.spi.TelemetryContext;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.spi.ProtocolConfig;
import io.opentelemetry.api.OpenTelemetry;

/**
 * Phase 2, register: sets up the OpenTelemetry SDK an extension brings, then lets the application and every enabled
 * extension add what they bring to an {@link Assembly}. Nothing is bound yet. Not API.
 *
 * @param assembly  what was registered
 * @param telemetry the service's telemetry (a no-op without an SDK)
 * @param protocols the protocol configurations Helidon discovers, for the serve phase: still being listed while the
 *                  registration and binding phases run ({@link #awaitProtocols})
 * @param health    the service's health checks
 */
record Registration(Assembly assembly, Telemetry telemetry, ProtocolDiscovery protocols, HealthRegistry health) {
    private static final System.Logger LOG = System.getLogger(Registration.class.getName());

    /**
     * Starts listing the protocols Helidon discovers (its server classes and their service registry, about a
     * thousand classes), which needs nothing of the service's configuration: it runs on a thread of its own from the
     * first moment of a start, beside the configuration, registration and binding phases, until the last step before
     * the port opens waits for it ({@link #awaitProtocols}).
     */
    static ProtocolDiscovery discoverProtocols() {
        CompletableFuture<List<ProtocolConfig>> protocols = new CompletableFuture<>();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Thread thread = Thread.ofPlatform().daemon().name("chassis-protocols").start(() -> {
            Thread.currentThread().setContextClassLoader(loader);
            try {
                protocols.complete(WebServer.builder().buildPrototype().protocols());
            } catch (RuntimeException | Error e) {
                protocols.completeExceptionally(e);
            }
        });
        return new ProtocolDiscovery(thread, protocols);
    }

    /**
     * Helidon's protocols being listed on their own thread.
     *
     * @param thread the thread listing them
     * @param result the protocols, once listed
     */
    record ProtocolDiscovery(Thread thread, CompletableFuture<List<ProtocolConfig>> result) {
        /** Long enough for the slowest start seen (about 20 s under a quarter of a CPU), short of for ever. */
        private static final Duration LIMIT = Duration.ofMinutes(2);

        /**
         * The protocols; rethrows what stopped their discovery. A listing that stops making progress does not hang
         * the start: it fails after {@link #LIMIT} showing where the listing stood. (A deadlock that holds the main
         * thread too, such as two threads initialising each other's classes, never reaches this wait; a thread dump
         * shows it.)
         */
        List<ProtocolConfig> await() {
            return await(LIMIT);
        }

        /** {@link #await()} with another limit (tests). */
        List<ProtocolConfig> await(Duration limit) {
            try {
                return join(result.copy().orTimeout(limit.toMillis(), TimeUnit.MILLISECONDS));
            } catch (CompletionException e) {
                if (e.getCause() instanceof TimeoutException) {
                    IllegalStateException stuck = new IllegalStateException("Helidon's protocols were not listed"
                            + " within " + limit + " (thread " + thread.getName() + ", " + thread.getState()
                            + "); where it stood is this exception's stack trace");
                    stuck.setStackTrace(thread.getStackTrace());
                    throw stuck;
                }
                throw e;
            }
        }
    }

    static Registration run(ServiceSpec spec, Startup startup, TlsBundles tls,
                            ProtocolDiscovery discovered) {
        // An SDK takes a while to set up (autoconfiguration, class loading): it runs on a thread of its own while
        // Helidon's protocols are listed on another (discoverProtocols), until the registration needs it. Meanwhile
        // this thread makes the JSON mapper, which takes about as long and which every service needs (its health
        // and problem bodies); nothing earlier in the start makes it (see docs/benchmarks.md, start-up).
        CompletableFuture<OpenTelemetry> sdk = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("chassis-telemetry-" + startup.info().name()).start(() -> {
            Thread.currentThread().setContextClassLoader(startup.loader());
            try {
                sdk.complete(openTelemetry(startup, tls));
            } catch (RuntimeException | Error e) {
                sdk.completeExceptionally(e);
            }
        });
        try {
            Json.mapper();
        } catch (RuntimeException | Error e) {
            // the start fails: the SDK is closed before the failure is reported, and its own failure goes with it
            try {
                close(join(sdk));
            } catch (RuntimeException | Error failed) {
                e.addSuppressed(failed);
            }
            throw e;
        }
        OpenTelemetry otel = join(sdk);
        Telemetry telemetry = Telemetry.of(otel, startup.config().get(CoreSettings.TRACE_RAW_PATHS));
        HealthRegistry health = new HealthRegistry(startup.config().get(CoreSettings.HEALTH_TIMEOUT),
                check -> startup.config().find(CoreSettings.affectsReadiness(check)).orElse(null));
        Assembly assembly = new Assembly(startup.info(), startup.config(), health, spec.clock(),
                telemetry.openTelemetry(), tls);
        // stopped hooks run last-registered first: the SDK closes after everything that may still record with it
        assembly.stopped.add(() -> close(otel));
        try {
            assembly.endpoints.addAll(spec.endpoints());
            spec.checks().forEach(health::add);
            assembly.provide(Constraints.class, Validation.detected(), "core");
            if (!spec.consumers().isEmpty()) {
                assembly.provide(MessageHandlers.class, new MessageHandlers(spec.consumers()), Assembly.APPLICATION);
            }
            startup.extensions().forEach(assembly::register);
            assembly.close();
            checkDeployment(startup, assembly);
        } catch (RuntimeException | Error e) {
            Shutdown.runAll(assembly.stopped, "stopped");
            throw e;
        }
        return new Registration(assembly, telemetry, discovered, health);
    }

    /** Waits for the protocols Helidon discovers (discoverProtocols); rethrows what stopped their discovery. */
    List<ProtocolConfig> awaitProtocols() {
        return protocols.await();
    }

    /**
     * What the deployment needs, checked once every extension has declared its part: production mode's refusals and
     * the shutdown's grace period, all reported together.
     */
    private static void checkDeployment(Startup startup, Assembly assembly) {
        List<ProductionMode.Choice> choices = new ArrayList<>(ProductionMode.core(startup.config(), startup.grpc()));
        choices.addAll(assembly.developmentOnly);
        List<String> problems = new ArrayList<>(ProductionMode.refusals(startup.config(), System.getenv(),
                startup.info().name(), choices));
        ShutdownBudget.problem(startup.config(), assembly.shutdownParts).ifPresent(problems::add);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    /** The SDK the one enabled extension that brings one returns, or null. */
    private static OpenTelemetry openTelemetry(Startup startup, TlsBundles tls) {
        OpenTelemetry found = null;
        String from = null;
        TelemetryContext context = new TelemetryContext() {
            @Override
            public ServiceInfo service() {
                return startup.info();
            }

            @Override
            public Config config() {
                return startup.config();
            }

            @Override
            public Optional<ClientTls> tls(Setting<String> setting) {
                return tls.named(startup.config(), Objects.requireNonNull(setting, "setting")).map(ClientTls.class::cast);
            }
        };
        for (ChassisExtension e : startup.extensions()) {
            OpenTelemetry o = e.openTelemetry(context);
            if (o != null && found != null) {
                close(o);
                close(found);
                throw new ConfigException(List.of("the extensions " + from + " and " + e.name()
                        + " both bring an OpenTelemetry SDK; turn one off with chassis.extensions.<name>.enabled: false"));
            }
            if (o != null) {
                found = o;
                from = e.name();
            }
        }
        return found;
    }

    /** Closes an SDK that is {@link AutoCloseable} (flushes and stops its threads); others are left. */
    static void close(OpenTelemetry otel) {
        if (otel instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "closing the OpenTelemetry SDK failed", e);
            }
        }
    }

    /** The value of a future completed by another thread; its failure is rethrown as it was thrown. */
    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
