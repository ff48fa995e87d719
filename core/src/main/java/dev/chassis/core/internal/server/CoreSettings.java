package dev.chassis.core.internal.server;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.chassis.core.config.Config;
import dev.chassis.core.config.Setting;
import dev.chassis.core.internal.config.LayeredConfig;
import dev.chassis.core.internal.http.client.Balancer;
import dev.chassis.core.internal.overload.OverloadSettings;
import dev.chassis.core.internal.tls.TlsSettings;

/** The configuration keys core reads. Not API. */
public final class CoreSettings {
    public static final Setting<Integer> PORT = Setting.integer("server.port", 8080).range(0, 65535)
            .describedAs("the one port for HTTP/1.1, HTTP/2 and gRPC (plaintext h2c, or TLS with server.tls.bundle); 0 picks a free port");
    public static final Setting<String> HOST = Setting.string("server.host", "0.0.0.0")
            .describedAs("the address to bind");
    public static final Setting<Integer> MANAGEMENT_PORT = Setting.integer("management.port", null).range(0, 65535)
            .describedAs("a second port for /health/*, /metrics, /observe/*, /info and gRPC reflection, which the"
                    + " service port then answers 404 for; unset: all on server.port; 0 picks a free port");
    public static final Setting<String> MANAGEMENT_HOST = Setting.string("management.host", null)
            .describedAs("the address the management port binds (127.0.0.1 keeps it to the host or pod); default:"
                    + " server.host");
    public static final Setting<Boolean> GRPC_REFLECTION = Setting.bool("grpc.reflection.enabled", true)
            .describedAs("serve gRPC reflection (v1 and v1alpha) for grpcurl and friends, on the management port"
                    + " when there is one");
    public static final Setting<Boolean> TRACE_RAW_PATHS = Setting.bool("server.tracing.raw-paths", false)
            .describedAs("record request paths as they came, ids included, in spans: url.path on the requests served,"
                    + " url.full on the calls made; false: only the templates (http.route, url.template, the span"
                    + " names); query strings are never recorded");
    public static final Setting<Long> MAX_BODY = Setting.size("server.max-body-size", 10L * 1024 * 1024)
            .min(1).describedAs("larger request bodies get 413");
    public static final Setting<Long> IDEMPOTENCY_BUFFER = Setting.size("server.idempotency.buffer-memory", 0L).min(0)
            .describedAs("how many bytes of request bodies with an Idempotency-Key may be held in memory at once (they"
                    + " are read whole to fingerprint them); above it such requests get 503 with Retry-After; 0: a"
                    + " quarter of the maximum heap");
    public static final Setting<Long> IDEMPOTENCY_MAX_ANSWER = Setting.size("server.idempotency.max-answer-size",
            1024L * 1024).min(0).describedAs("the largest answer kept for an Idempotency-Key; a larger answer is sent"
                    + " but not kept, and a retry with the key runs the request again");
    public static final Setting<Long> MAX_HEADERS = Setting.size("server.max-header-size", 16L * 1024)
            .range(1024, 1024 * 1024).describedAs("larger request headers get 431");
    public static final Setting<Duration> HEADER_TIMEOUT = Setting.duration("server.header-timeout", Duration.ofSeconds(10))
            .min(1).describedAs("how long a request's headers may take after its request line (HTTP/1.1: then 408 and the"
                    + " connection is closed) or an HTTP/2 header block from its HEADERS frame to END_HEADERS (then the"
                    + " connection is closed)");
    public static final Setting<Duration> REQUEST_TIMEOUT = Setting.duration("server.request-timeout",
            Duration.ofSeconds(30)).describedAs("how long an HTTP request may take: then its handler is interrupted, its"
                    + " outgoing calls are cancelled (they inherit what is left of it) and it is answered 503 with"
                    + " Retry-After; 0 = no limit");
    /** Whether {@link Startup} sets {@code jdk.pollerMode=1}; null: decided by the scheduler checks. */
    public static final Setting<Boolean> PLATFORM_POLLERS = Setting.bool("server.platform-pollers", null)
            .describedAs("on JDK 22+, wait for socket readiness on platform threads (jdk.pollerMode=1, JDK 21's way) rather"
                    + " than on virtual threads that queue behind the requests they are to wake up, which under overload"
                    + " stalls the server, but costs throughput at normal load; set as the service starts unless the JVM"
                    + " was started with -Djdk.pollerMode; false leaves the JDK's default; unset: true on JDK 24+ when"
                    + " server.concurrency-limit.enabled and its max-scheduler-wait or max-scheduler-queue is above 0"
                    + " (those checks' p99 under overload holds only with platform pollers), otherwise the JDK's"
                    + " default");
    public static final Setting<Duration> BODY_TIMEOUT = Setting.duration("server.body-timeout", Duration.ofSeconds(20))
            .describedAs("how long a request body may take to arrive (a slow POST): then the handler is interrupted;"
                    + " HTTP/2 answers 408, HTTP/1.1 closes the connection; 0 = no limit");
    public static final Setting<List<String>> TRUSTED_PROXIES = Setting.list("server.trusted-proxies", List.of())
            .describedAs("addresses and CIDR blocks (10.0.0.0/8, fd00::/8) of the proxies whose Forwarded and"
                    + " X-Forwarded-For/-Proto/-Host/-Prefix headers are believed, for the client's address, scheme, host"
                    + " and path prefix; from any other peer they are ignored; none by default");
    /** Which headers the trusted proxies write; the other set is ignored, as a client may have sent it. */
    public enum ForwardedHeaders { X_FORWARDED, FORWARDED }

    public static final Setting<ForwardedHeaders> TRUSTED_PROXY_HEADERS = Setting.oneOf("server.trusted-proxy-headers",
                    ForwardedHeaders.class, ForwardedHeaders.X_FORWARDED)
            .describedAs("the headers the trusted proxies write: x-forwarded (X-Forwarded-For/-Proto/-Host/-Prefix, what"
                    + " NGINX, Envoy and Kong send) or forwarded (RFC 7239 Forwarded, and X-Forwarded-Prefix); the other set"
                    + " is ignored, since a proxy passes on what the client sent in it");
    public static final Setting<Integer> MAX_CONNECTIONS = Setting.integer("server.max-connections", null)
            .range(1, 1_000_000).describedAs("the most connections a port (the service port, and the management port"
                    + " apart) keeps open; a new connection above it is closed at once and counted in"
                    + " chassis.server.connections.refused; unset: as many as fit in a share of the heap (-Xmx), each"
                    + " counted at 25 KiB (plaintext) or 100 KiB (TLS) plus server.max-header-size, half the heap for the"
                    + " service port and an eighth for the management port, between 64 and 10000 (at -Xmx256m with"
                    + " 16 KiB headers: about 3100 plaintext, 1100 TLS); the gauge chassis.server.connections.limit"
                    + " shows it");
    public static final Setting<Integer> MAX_STREAMS = Setting.integer("server.http2.max-concurrent-streams", 100)
            .range(1, 10_000).describedAs("the most HTTP/2 streams (requests, gRPC calls) a client may open at once on"
                    + " one connection, advertised in SETTINGS; a stream above it is refused (REFUSED_STREAM)");
    public static final Setting<Duration> IDLE_TIMEOUT = Setting.duration("server.idle-timeout", Duration.ofSeconds(60))
            .min(1000).describedAs("an idle keep-alive connection is closed after this");
    public static final Setting<Duration> SHUTDOWN_DELAY = Setting.duration("server.shutdown.delay", Duration.ZERO)
            .describedAs("after readiness turns DOWN, keep serving this long so load balancers notice (~5s on Kubernetes)");
    public static final Setting<Duration> SHUTDOWN_TIMEOUT = Setting.duration("server.shutdown.timeout", Duration.ofSeconds(15))
            .describedAs("the longest shutdown waits for in-flight requests");
    public static final Setting<Duration> SHUTDOWN_GRACE_PERIOD = Setting.duration("server.shutdown.grace-period",
            Duration.ofSeconds(30)).min(1).describedAs("the time the platform gives a stopping process before it kills"
                    + " it (Kubernetes' terminationGracePeriodSeconds, 30s by default): the modules' stopping steps"
                    + " (messaging.shutdown-timeout, discovery.deregistration-delay), server.shutdown.delay and"
                    + " server.shutdown.timeout must add up to at most this, else start-up stops");
    public static final Setting<Boolean> SHUTDOWN_HOOK = Setting.bool("server.shutdown.hook", true)
            .describedAs("stop gracefully on SIGTERM");
    public static final Setting<String> VERSION = Setting.string("service.version", null)
            .describedAs("the version shown in /info; default: the builder's version(...), else 0.0.0");
    public static final Setting<String> INSTANCE_ID = Setting.string("service.instance-id", null)
            .describedAs("this process's id, shown in /info (the pod name on Kubernetes); default: name plus a random suffix");
    public static final Setting<Duration> HEALTH_TIMEOUT = Setting.duration("health.check-timeout", Duration.ofSeconds(2))
            .min(1).describedAs("a health check slower than this is reported DOWN");
    public static final Setting<Duration> HEALTH_WATCH_INTERVAL = Setting.duration("health.watch-interval",
            Duration.ofSeconds(1)).min(10).describedAs("how often gRPC health Watch streams look for a change");
    /** Whether a DOWN of the named dependency's readiness check takes the service out of rotation. */
    public static Setting<Boolean> affectsReadiness(String check) {
        return Setting.bool("health.dependencies." + check + ".affects-readiness", null)
                .describedAs("true: the named readiness check (database, messaging, ...) DOWN makes /health/ready DOWN;"
                        + " false: it is reported DOWN in the body while readiness stays UP; default: the module's"
                        + " choice (docs/standard.md)");
    }

    public static final Setting<Long> GRPC_MAX_MESSAGE = Setting.size("grpc.max-message-size", 4L * 1024 * 1024)
            .range(1024, 256L * 1024 * 1024).describedAs("larger gRPC messages get RESOURCE_EXHAUSTED");
    public static final Setting<Duration> GRPC_DEFAULT_TIMEOUT = Setting.duration("grpc.default-timeout",
            Duration.ofSeconds(30)).describedAs("the deadline of a unary or client-streaming gRPC call that carries no"
                    + " grpc-timeout: then DEADLINE_EXCEEDED, and the handler's outgoing calls are cancelled; 0 = none."
                    + " Server-streaming and bidirectional calls (Watch, subscriptions) keep no deadline unless the client"
                    + " sends one");
    public static final Setting<Duration> GRPC_MAX_TIMEOUT = Setting.duration("grpc.max-timeout",
            Duration.ofMinutes(5)).describedAs("the longest deadline a unary or client-streaming gRPC call may ask for"
                    + " with grpc-timeout: a longer one is shortened to it, so that no client can switch the server's"
                    + " deadline off; 0 = no limit");
    public static final Setting<Integer> HEALTH_MAX_WATCHERS = Setting.integer("health.max-watchers", 100)
            .range(1, 100_000).describedAs("the most gRPC health Watch streams open at once; another gets"
                    + " RESOURCE_EXHAUSTED");
    public static final Setting<Integer> HEALTH_MAX_WATCHERS_PER_CONNECTION = Setting.integer(
            "health.max-watchers-per-connection", 8).range(1, 100_000).describedAs("the most gRPC health Watch streams"
                    + " one connection may hold, so that one client cannot hold every health.max-watchers slot; another"
                    + " gets RESOURCE_EXHAUSTED (raise it behind a proxy that carries many clients' Watch streams on a"
                    + " few connections)");
    public static final Setting<String> PROFILE = Setting.string("chassis.profile", null)
            .describedAs("loads application-<profile>.yaml");
    public static final Setting<Boolean> EXTENSION_ENABLED = Setting.bool("chassis.extensions.*.enabled", true)
            .describedAs("false turns an extension off (health, info, resilience...); a name that matches no"
                    + " extension fails start-up");

    public static final Setting<List<URI>> CLIENT_URL = Setting.uriList("clients.*.url")
            .describedAs("the instances of a client target when no discovery back-end knows it");
    public static final Setting<Duration> CLIENT_CONNECT_TIMEOUT = Setting.duration("clients.*.connect-timeout",
            Duration.ofSeconds(1)).min(1).describedAs("how long a client waits to connect");
    public static final Setting<Duration> CLIENT_REQUEST_TIMEOUT = Setting.duration("clients.*.request-timeout",
            Duration.ofSeconds(10)).min(1).describedAs("how long a client waits for the answer (socket read timeout)");

    public static final Setting<Duration> CLIENT_RESOLVE_INTERVAL = Setting.duration("clients.*.resolve-interval",
            Duration.ofSeconds(10)).min(10).describedAs("how often a gRPC channel looks its target's instances up again");

    public static final Setting<Balancer.Policy> CLIENT_BALANCER = Setting.oneOf(
            "clients.*.load-balancer", Balancer.Policy.class,
            Balancer.Policy.ROUND_ROBIN)
            .describedAs("how a client spreads calls: round-robin, or least-outstanding (power of two choices)");
    public static final Setting<Integer> CLIENT_EJECT_AFTER = Setting.integer("clients.*.outlier.consecutive-failures", 5)
            .range(1, 1000).describedAs("failed calls in a row (transport failures, 5xx) after which an instance is ejected");
    public static final Setting<Duration> CLIENT_EJECT_BASE = Setting.duration("clients.*.outlier.base-ejection",
            Duration.ofSeconds(30)).min(1).describedAs("how long an instance is first ejected; doubled each time again");
    public static final Setting<Duration> CLIENT_EJECT_MAX = Setting.duration("clients.*.outlier.max-ejection",
            Duration.ofMinutes(5)).min(1).describedAs("the longest ejection");
    public static final Setting<Integer> CLIENT_EJECT_PERCENT = Setting.integer("clients.*.outlier.max-ejected-percent", 50)
            .range(0, 100).describedAs("the most instances of a target ejected at once, in percent");

    /** The load-balancing settings of a target. */
    public static Balancer.Settings balancing(Config config,
                                                                             String target) {
        return new Balancer.Settings(config.get(CLIENT_BALANCER.resolve(target)),
                config.get(CLIENT_EJECT_AFTER.resolve(target)), config.get(CLIENT_EJECT_BASE.resolve(target)),
                config.get(CLIENT_EJECT_MAX.resolve(target)), config.get(CLIENT_EJECT_PERCENT.resolve(target)));
    }

    /** The load-balancing settings of a target that no configuration names: the keys' defaults. */
    public static Balancer.Settings defaultBalancing() {
        return new Balancer.Settings(CLIENT_BALANCER.defaultValue(),
                CLIENT_EJECT_AFTER.defaultValue(), CLIENT_EJECT_BASE.defaultValue(), CLIENT_EJECT_MAX.defaultValue(),
                CLIENT_EJECT_PERCENT.defaultValue());
    }

    private CoreSettings() {
    }

    public static List<Setting<?>> all() {
        List<Setting<?>> all = new ArrayList<>(List.of(PORT, HOST, MANAGEMENT_PORT, MANAGEMENT_HOST, TRACE_RAW_PATHS, MAX_BODY,
                IDEMPOTENCY_BUFFER, IDEMPOTENCY_MAX_ANSWER, MAX_HEADERS,
                HEADER_TIMEOUT, REQUEST_TIMEOUT, BODY_TIMEOUT, PLATFORM_POLLERS, TRUSTED_PROXIES, TRUSTED_PROXY_HEADERS, MAX_CONNECTIONS, MAX_STREAMS,
                IDLE_TIMEOUT, SHUTDOWN_DELAY,
                SHUTDOWN_TIMEOUT, SHUTDOWN_GRACE_PERIOD, SHUTDOWN_HOOK, VERSION, INSTANCE_ID, HEALTH_TIMEOUT, HEALTH_WATCH_INTERVAL,
                HEALTH_MAX_WATCHERS, HEALTH_MAX_WATCHERS_PER_CONNECTION, affectsReadiness("*"), GRPC_MAX_MESSAGE,
                GRPC_DEFAULT_TIMEOUT, GRPC_MAX_TIMEOUT,
                GRPC_REFLECTION, PROFILE, LayeredConfig.IGNORE_ENVIRONMENT, EXTENSION_ENABLED, CLIENT_URL,
                CLIENT_CONNECT_TIMEOUT, CLIENT_REQUEST_TIMEOUT, CLIENT_RESOLVE_INTERVAL, CLIENT_BALANCER, CLIENT_EJECT_AFTER,
                CLIENT_EJECT_BASE, CLIENT_EJECT_MAX, CLIENT_EJECT_PERCENT));
        all.addAll(TlsSettings.all());
        all.addAll(OverloadSettings.all());
        all.addAll(ProductionMode.settings());
        return List.copyOf(all);
    }
}
