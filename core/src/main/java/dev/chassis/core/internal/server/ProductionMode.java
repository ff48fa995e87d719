package dev.chassis.core.internal.server;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.chassis.core.config.Config;
import dev.chassis.core.config.Setting;
import dev.chassis.core.internal.config.ConfigLoader;
import dev.chassis.core.internal.tls.TlsSettings;

/**
 * Production mode: the development-only choices core and the extensions declared are refused unless a
 * {@code production.allow.*} setting allows each; all refusals are reported together. Running on Kubernetes
 * ({@code KUBERNETES_SERVICE_HOST} set) without production mode only warns: the variable says where the process runs,
 * not what it is for (a throw-away cluster, a test pod), and a mode that turns itself on would be the kind of magic
 * Chassis avoids. The manifests Chassis ships set the profile. Not API.
 */
final class ProductionMode {
    private static final System.Logger LOG = System.getLogger(ProductionMode.class.getName());
    /** The profile that turns production mode on. */
    static final String PROFILE = ConfigLoader.PRODUCTION;
    /** The variable Kubernetes sets in every container. */
    static final String KUBERNETES = "KUBERNETES_SERVICE_HOST";

    static final Setting<Boolean> ENABLED = Setting.bool("production.enabled", null)
            .describedAs("production mode: start-up refuses development-only defaults (in-memory broker and database,"
                    + " operational endpoints on the service port) unless a production.allow.* setting allows each;"
                    + " default: on when chassis.profile is production (docs/security.md)");
    static final Setting<Boolean> ALLOW_REFLECTION = Setting.bool("production.allow.grpc-reflection-on-service-port",
            false).describedAs("in production mode, allow gRPC reflection on the service port (no management.port)");
    static final Setting<Boolean> ALLOW_TLS_WITHOUT_MANAGEMENT = Setting.bool(
            "production.allow.tls-without-management-port", false).describedAs("in production mode, allow"
                    + " server.tls.bundle without management.port (probes, scrapes and /info then need the service's"
                    + " TLS)");

    /** A development-only choice: the setting that allows it, what it is, how to configure it away, who made it. */
    record Choice(Setting<Boolean> allow, String what, String fix, String by) {
    }

    private ProductionMode() {
    }

    static List<Setting<?>> settings() {
        return List.of(ENABLED, ALLOW_REFLECTION, ALLOW_TLS_WITHOUT_MANAGEMENT);
    }

    /** Whether production mode is on: {@code production.enabled}, else {@code chassis.profile: production}. */
    static boolean enabled(Config config) {
        return config.find(ENABLED).orElseGet(() -> config.profile().filter(PROFILE::equals).isPresent());
    }

    /** Core's own development-only choices. */
    static List<Choice> core(Config config, boolean grpc) {
        List<Choice> choices = new ArrayList<>();
        boolean management = config.find(CoreSettings.MANAGEMENT_PORT).isPresent();
        if (grpc && !management && config.get(CoreSettings.GRPC_REFLECTION)) {
            choices.add(new Choice(ALLOW_REFLECTION, "gRPC reflection on the service port",
                    "set management.port (reflection moves there), or grpc.reflection.enabled: false", "core"));
        }
        if (!management && config.find(TlsSettings.SERVER_BUNDLE).isPresent()) {
            choices.add(new Choice(ALLOW_TLS_WITHOUT_MANAGEMENT, "server.tls.bundle without management.port",
                    "set management.port (e.g. 9090) for the probes, /metrics and /info", "core"));
        }
        return choices;
    }

    /**
     * The refusals in production mode, one line each; outside it none, and on Kubernetes a warning that lists the
     * choices.
     */
    static List<String> refusals(Config config, Map<String, String> environment, String service, List<Choice> choices) {
        boolean enabled = enabled(config);
        List<String> problems = new ArrayList<>();
        for (Choice c : choices) {
            if (enabled && !config.get(c.allow())) {
                problems.add("production mode refuses " + c.what() + " (" + c.by() + "). Fix: " + c.fix()
                        + "; or allow it with " + c.allow().key() + ": true");
            }
        }
        if (!enabled && !choices.isEmpty() && environment.get(KUBERNETES) != null) {
            LOG.log(Level.WARNING, "{0} runs on Kubernetes ({1} is set) without production mode, with development-only"
                    + " choices: {2}. Set CHASSIS_PROFILE=production (or PRODUCTION_ENABLED=true) to have them refused",
                    service, KUBERNETES, String.join("; ", choices.stream().map(Choice::what).toList()));
        }
        return problems;
    }
}
