package dev.chassis.core.internal.server;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Config;
import dev.chassis.core.internal.tls.TlsBundles;

/**
 * Runs one service through its phases, in order: {@linkplain Startup#load load configuration} (every key of every
 * module validated) → {@linkplain Registration#run register} (the application and the extensions) →
 * {@linkplain Binding#run bind and validate} (routes, clients, channels, components, the extensions' checks) →
 * {@linkplain Listener#open serve} (the port opens) → started hooks; and on stop → {@linkplain Shutdown drain and
 * close}. Not API: use {@code Chassis.service(...)}.
 */
public final class ServiceRuntime implements RunningService {
    private static final System.Logger LOG = System.getLogger(ServiceRuntime.class.getName());

    private final Startup startup;
    private final Registration registration;
    private final Binding binding;
    private final Listener listener;
    private final int port;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Thread shutdownHook;
    private final Thread starter = Thread.currentThread();
    private volatile Thread stopper;

    private ServiceRuntime(Startup startup, Registration registration, Binding binding, Listener listener) {
        this.startup = startup;
        this.registration = registration;
        this.binding = binding;
        this.listener = listener;
        this.port = listener.server().port();
        this.shutdownHook = startup.config().get(CoreSettings.SHUTDOWN_HOOK)
                ? new Thread(this::stop, "chassis-shutdown-" + startup.info().name()) : null;
    }

    /** Starts a service as described; returns when it is ready. */
    public static RunningService start(ServiceSpec spec) {
        Instant startTime = Instant.now();
        Registration.ProtocolDiscovery protocols = Registration.discoverProtocols();
        Startup startup = Startup.load(spec, startTime);
        // TLS material is read and checked with the configuration: a bad certificate stops start-up before anything
        // is built
        TlsBundles tls = TlsBundles.load(startup.config());
        Registration registration = Registration.run(spec, startup, tls, protocols);
        Assembly assembly = registration.assembly();
        assembly.stopped.add(tls::close);
        ServiceRuntime runtime;
        Listener listener = null;
        try {
            Binding binding = Binding.run(spec, startup, registration, tls);
            listener = Listener.open(startup.config(), registration.awaitProtocols(), binding, tls,
                    registration.telemetry());
            runtime = new ServiceRuntime(startup, registration, binding, listener);
            tls.startReloading();
        } catch (RuntimeException | Error e) {
            if (listener != null) { // the port opened: close it before the resources behind it
                listener.server().stop();
                listener.closeGuards();
            }
            Shutdown.runAll(assembly.stopped, "stopped"); // close the clients, channels and telemetry opened so far
            throw e;
        }
        try {
            registration.health().state(HealthRegistry.State.SERVING);
            if (runtime.shutdownHook != null) {
                Runtime.getRuntime().addShutdownHook(runtime.shutdownHook);
            }
            ServiceInfo info = startup.info();
            // the one start-up line: what runs, where, how configured, how fast
            LOG.log(Level.INFO, "{0} {1} serving on port {2,number,#} ({3}), profile {4}, ready in {5,number,#} ms"
                    + " (instance {6})", info.name(), info.version(), runtime.port,
                    (runtime.binding.grpc() != null ? "HTTP and gRPC" : "HTTP") + (runtime.listener.tls() == null ? ""
                            : " over TLS, bundle " + runtime.listener.tls().name()) + management(runtime.listener),
                    startup.config().profile().orElse("none"), Duration.between(startTime, Instant.now()).toMillis(),
                    info.instanceId());
            assembly.started.forEach(h -> h.accept(runtime));
        } catch (RuntimeException | Error e) {
            runtime.started.countDown();
            runtime.stop(); // a started hook failed: do not leave a half-started server behind
            throw e;
        }
        runtime.started.countDown();
        return runtime;
    }

    /** What the start-up line says of the management port, if there is one. */
    private static String management(Listener listener) {
        if (listener.managementGuard() == null) {
            return "";
        }
        return "; management on port " + listener.managementPort() + (listener.managementTls() == null ? ""
                : " over TLS, bundle " + listener.managementTls().name());
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public URI uri() {
        return URI.create((listener.tls() != null ? "https" : "http") + "://localhost:" + port);
    }

    @Override
    public int managementPort() {
        return listener.managementPort();
    }

    @Override
    public URI managementUri() {
        if (listener.managementGuard() == null) {
            return uri();
        }
        return URI.create((listener.managementTls() != null ? "https" : "http") + "://localhost:" + managementPort());
    }

    @Override
    public ServiceInfo info() {
        return startup.info();
    }

    @Override
    public Config config() {
        return startup.config();
    }

    @Override
    public boolean isRunning() {
        return terminated.getCount() > 0 && listener.server().isRunning();
    }

    @Override
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            if (Thread.currentThread() != stopper) { // a hook of this very shutdown stopping again must not wait on itself
                await(terminated); // someone else is stopping us: return when they are done
            }
            return;
        }
        stopper = Thread.currentThread();
        if (Thread.currentThread() != starter) {
            await(started); // a SIGTERM while the started hooks run (consumers starting...): stop once they have
        }
        try {
            Shutdown.run(startup.info().name(), startup.config(), registration.health(), registration.assembly(),
                    binding.inFlight(), listener);
        } finally {
            if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException alreadyShuttingDown) {
                    // the JVM is exiting; the hook is running or about to and will find us stopped
                }
            }
            terminated.countDown();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
