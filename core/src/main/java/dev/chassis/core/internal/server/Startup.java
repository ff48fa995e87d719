package dev.chassis.core.internal.server;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.ThreadLocalRandom;

import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.config.Setting;
import dev.chassis.core.internal.config.ConfigLoader;
import dev.chassis.core.internal.config.LayeredConfig;
import dev.chassis.core.internal.overload.ConcurrencyLimits;
import dev.chassis.core.internal.overload.OverloadSettings;
import dev.chassis.core.internal.tls.TlsSettings;
import dev.chassis.core.spi.ChassisExtension;

/**
 * Phase 1, load configuration: reads every source, finds the extensions on the class path, and validates every
 * key any of them (or the application) declares — all before anything is built. Not API.
 *
 * @param loader     the class loader extensions and resources come from
 * @param config     the validated configuration
 * @param extensions the enabled extensions, in class-path order
 * @param info       the service's identity
 */
record Startup(ClassLoader loader, LayeredConfig config, List<ChassisExtension> extensions, ServiceInfo info) {
    private static final System.Logger LOG = System.getLogger(Startup.class.getName());
    private static final List<String> HTTP = List.of("http/1.1", "h2c");
    private static final List<String> HTTP_AND_GRPC = List.of("http/1.1", "h2c", "grpc");

    /** The JDK's choice of poller threads (sun.nio.ch.Poller): 1 platform threads, 2 virtual threads. */
    static final String POLLER_MODE = "jdk.pollerMode";

    static Startup load(ServiceSpec spec, Instant startTime) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader() : Startup.class.getClassLoader();
        LayeredConfig config = ConfigLoader.load(loader, System.getenv(), System.getProperties(), spec.properties());

        List<ChassisExtension> found = new ArrayList<>();
        ServiceLoader.load(ChassisExtension.class, loader).forEach(found::add);
        List<Setting<?>> declared = new ArrayList<>(CoreSettings.all());
        found.forEach(e -> declared.addAll(e.settings()));
        declared.addAll(spec.settings());
        config.validate(declared);
        checkExtensionNames(config, found);
        checkManagement(config);
        if (platformPollers(config) && System.getProperty(POLLER_MODE) == null) {
            // read once, when the JVM's first virtual thread waits on a socket: normally the server's, after this;
            // in a JVM that did so before (a test run, another service), the JDK keeps what it chose then
            System.setProperty(POLLER_MODE, "1");
            if (config.find(CoreSettings.PLATFORM_POLLERS).isEmpty()) {
                LOG.log(Level.INFO, "set jdk.pollerMode=1 (platform poller threads; no effect if the JVM's pollers"
                        + " have already started) because a scheduler check is set ("
                        + OverloadSettings.MAX_SCHEDULER_WAIT.key() + ": "
                        + config.raw(OverloadSettings.MAX_SCHEDULER_WAIT.key()).orElse("0s") + ", "
                        + OverloadSettings.MAX_SCHEDULER_QUEUE.key() + ": "
                        + config.raw(OverloadSettings.MAX_SCHEDULER_QUEUE.key()).orElse("0")
                        + ") and server.platform-pollers is not; set it to false to keep the JDK's default");
            }
        }

        String version = config.find(CoreSettings.VERSION).orElse(spec.version() == null ? "0.0.0" : spec.version());
        String instanceId = config.find(CoreSettings.INSTANCE_ID)
                .orElseGet(() -> spec.name() + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
        // gRPC (and its health service) is set up only for services that serve gRPC: it costs an HTTP-only
        // service a fifth of its start-up time and 15 MB (see docs/benchmarks.md)
        ServiceInfo info = new ServiceInfo(spec.name(), version, instanceId, startTime,
                spec.grpcServices().isEmpty() ? HTTP : HTTP_AND_GRPC);
        List<ChassisExtension> enabled = found.stream()
                .filter(e -> config.get(CoreSettings.EXTENSION_ENABLED.resolve(e.name()))).toList();
        return new Startup(loader, config, enabled, info);
    }

    /**
     * {@code server.platform-pollers}, or when it is unset whether a scheduler check will run: with the JDK's virtual
     * pollers (JDK 22+), the pollers wait for a carrier behind the very requests the check bounds, so the requests it
     * admits still waited seconds at 4× a CPU-bound endpoint's capacity (docs/benchmarks.md, overload). A service that
     * asks for the check is asking for what only platform pollers give it. Where the checks cannot run (before JDK
     * 24), nothing is switched for them.
     */
    private static boolean platformPollers(LayeredConfig config) {
        return config.find(CoreSettings.PLATFORM_POLLERS).orElseGet(() -> ConcurrencyLimits.schedulerChecksRun(config));
    }

    /** Whether the service serves gRPC. */
    boolean grpc() {
        return info.protocols().contains("grpc");
    }

    /** The management port is a second port: not the service port, and its other keys need it. */
    private static void checkManagement(LayeredConfig config) {
        List<String> problems = new ArrayList<>();
        Integer management = config.find(CoreSettings.MANAGEMENT_PORT).orElse(null);
        int port = config.get(CoreSettings.PORT);
        if (management != null && management != 0 && management == port) {
            problems.add("management.port = " + management + " (from " + config.sourceOf(CoreSettings.MANAGEMENT_PORT.key())
                    .orElse("configuration") + ") is also server.port: give the management port another number, or"
                    + " unset it to serve /health, /metrics and /info on the service port");
        }
        for (Setting<?> needs : List.of(CoreSettings.MANAGEMENT_HOST, TlsSettings.MANAGEMENT_BUNDLE,
                TlsSettings.MANAGEMENT_CLIENT_AUTH)) {
            if (management == null && config.raw(needs.key()).isPresent()) {
                problems.add(needs.key() + " is set but management.port is not: set management.port to open the"
                        + " management port, or remove " + needs.key());
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
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
            throw new ConfigException(problems);
        }
    }
}
