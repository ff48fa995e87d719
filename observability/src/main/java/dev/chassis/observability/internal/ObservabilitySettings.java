package dev.chassis.observability.internal;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import dev.chassis.core.config.Setting;

/** The configuration keys of {@code chassis-observability}. Not API. */
final class ObservabilitySettings {
    enum Exporter { NONE, OTLP }

    enum LogFormat { TEXT, JSON }

    enum LogLevel { ERROR, WARN, INFO, DEBUG, TRACE }

    /** Enough for a user agent or a URL; a stack trace keeps its first 40 or so frames. */
    static final int DEFAULT_MAX_ATTRIBUTE_LENGTH = 4096;

    /** Whether outgoing calls carry B3 besides W3C trace context, and in which form. */
    enum B3 { NONE, SINGLE, MULTI }

    static final Setting<Boolean> TRACING = Setting.bool("observability.tracing.enabled", true)
            .describedAs("record spans (when false, trace context is still propagated)");
    static final Setting<Double> SAMPLER_RATIO = Setting.decimal("observability.tracing.sampler.ratio", 1.0, 0.0, 1.0)
            .describedAs("share of new traces recorded; a caller's sampling decision is followed (parent-based)");
    static final Setting<Exporter> EXPORTER = Setting.oneOf("observability.tracing.exporter", Exporter.class,
            Exporter.NONE).describedAs("where spans go besides the in-memory store and the debug log");
    static final Setting<B3> B3_OUTGOING = Setting.oneOf("observability.propagation.b3", B3.class, B3.NONE)
            .describedAs("outgoing HTTP and gRPC calls carry B3 besides traceparent: single (the b3 header) or multi"
                    + " (X-B3-TraceId, -SpanId, -Sampled), for peers that read only B3; incoming B3 is accepted always"
                    + " (when there is no valid traceparent)");
    static final Setting<Boolean> ALLOW_STORE = Setting.bool("production.allow.trace-store-on-service-port", false)
            .describedAs("in production mode, allow GET /observe/traces on the service port (no management.port):"
                    + " anyone who reaches the port reads the spans");
    static final Setting<Boolean> STORE_ENABLED = Setting.bool("observability.tracing.store.enabled", true)
            .describedAs("keep recent spans in memory and serve them at GET /observe/traces; false: no store, and"
                    + " /observe/traces answers 404 saying it is off (e.g. false in production, with a collector)");
    static final Setting<Integer> MAX_ATTRIBUTE_LENGTH = Setting.integer("observability.tracing.max-attribute-length",
            DEFAULT_MAX_ATTRIBUTE_LENGTH).range(32, 1_048_576).describedAs("the longest text attribute value a span or"
                    + " span event keeps, in characters (longer ones are cut: a header, a stack trace); the limit of"
                    + " OpenTelemetry's SpanLimits, which OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT overrides");
    static final Setting<Integer> MAX_ATTRIBUTES = Setting.integer("observability.tracing.max-attributes", 128)
            .range(1, 10_000).describedAs("the most attributes a span keeps (later ones are dropped); the limit of"
                    + " OpenTelemetry's SpanLimits, which OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT overrides");
    static final Setting<List<String>> REDACT = Setting.list("observability.tracing.redact", List.of())
            .describedAs("attribute keys whose values spans keep as [redacted] (on spans and their events, before the"
                    + " store, the span log and the exporters see them), e.g. enduser.id; code can do more with a"
                    + " dev.chassis.observability.spi.SpanRedactor");
    static final Setting<Integer> STORE_SPANS = Setting.integer("observability.tracing.store.max-spans", 2_000)
            .range(0, 1_000_000).describedAs("spans kept for GET /observe/traces; 0 turns the store off");
    static final Setting<Integer> STORE_TRACES_PER_SECOND = Setting.integer(
            "observability.tracing.store.max-traces-per-second", 100).range(1, 1_000_000)
            .describedAs("traces the store admits a second (by their first span to end; failed spans are always kept):"
                    + " under load the rest are not stored, which keeps the store from costing the service its p99");
    static final Setting<Boolean> SPAN_LOG = Setting.bool("observability.tracing.log", true)
            .describedAs("log every ended span at DEBUG (logger dev.chassis.observability.spans), when DEBUG is on for"
                    + " that logger at start-up");
    static final Setting<List<URI>> OTLP_ENDPOINT = Setting.uriList("observability.otlp.endpoint")
            .describedAs("the OTLP/HTTP collector, e.g. http://localhost:4318 (spans go to <endpoint>/v1/traces)");
    static final Setting<Duration> OTLP_TIMEOUT = Setting.duration("observability.otlp.timeout", Duration.ofSeconds(10))
            .describedAs("how long one export may take");
    static final Setting<String> OTLP_TLS_BUNDLE = Setting.string("observability.otlp.tls.bundle", null)
            .describedAs("the tls.bundles name to reach an https collector with: its CAs are trusted, its certificate"
                    + " presented (mutual TLS); unset: the JDK's CAs, no client certificate");
    static final Setting<Boolean> METRICS = Setting.bool("observability.metrics.enabled", true)
            .describedAs("serve GET /metrics");
    static final Setting<Boolean> JVM_METRICS = Setting.bool("observability.metrics.jvm", true)
            .describedAs("JVM memory, GC, threads, classes and CPU in /metrics");
    static final Setting<Boolean> CONSOLE = Setting.bool("observability.console.enabled", true)
            .describedAs("serve the web console at /console (a management route) and its JSON under /console/api");
    static final Setting<Boolean> ALLOW_CONSOLE = Setting.bool("production.allow.console-on-service-port", false)
            .describedAs("in production mode, allow /console on the service port (no management.port): anyone who"
                    + " reaches the port reads the configuration (secrets masked), the metrics and the spans");
    static final Setting<List<String>> CONSOLE_PEERS = Setting.list("observability.console.peers", List.of())
            .describedAs("services the console also asks for a trace's spans and the map's edges, besides those its"
                    + " client spans and metrics name (peer.service): e.g. the consumers of the events it publishes");
    static final Setting<Integer> CONSOLE_PEER_PORT = Setting.integer("observability.console.peer-port", null)
            .range(1, 65_535).describedAs("the port the console reaches other services' /observe/traces and"
                    + " /console/api on (their management.port, when every service uses the same one); unset: the"
                    + " port discovery or clients.<name>.url gives");
    static final Setting<Duration> CONSOLE_PEER_TIMEOUT = Setting.duration("observability.console.peer-timeout",
            Duration.ofSeconds(1)).describedAs("how long the console waits for one other service's answer before it"
                    + " reports that service as not reached");
    static final Setting<Boolean> GLOBAL = Setting.bool("observability.global", true)
            .describedAs("also register the SDK as GlobalOpenTelemetry, when nothing else has");
    static final Setting<LogFormat> LOG_FORMAT = Setting.oneOf("logging.format", LogFormat.class, LogFormat.TEXT)
            .describedAs("text: one line per record; json: one JSON object per line");
    static final Setting<LogLevel> LOG_LEVEL = Setting.oneOf("logging.level", LogLevel.class, LogLevel.INFO)
            .describedAs("the lowest level logged");
    static final Setting<Boolean> LOG_PEER = Setting.bool("logging.peer-identity", false)
            .describedAs("add the verified caller (mutual TLS: its SPIFFE ID, else DNS name or subject) to the lines"
                    + " logged while serving its request, as peer");
    static final Setting<Boolean> LOG_CLIENT = Setting.bool("logging.client-address", false)
            .describedAs("add the client's address (a trusted proxy's forwarded one, else the connection's peer) to"
                    + " the lines logged while serving its HTTP request or gRPC call, as client");

    private ObservabilitySettings() {
    }

    static List<Setting<?>> all() {
        return List.of(TRACING, SAMPLER_RATIO, EXPORTER, B3_OUTGOING, ALLOW_STORE, STORE_ENABLED, STORE_SPANS,
                STORE_TRACES_PER_SECOND,
                MAX_ATTRIBUTE_LENGTH, MAX_ATTRIBUTES, REDACT, SPAN_LOG, OTLP_ENDPOINT, OTLP_TIMEOUT, OTLP_TLS_BUNDLE,
                METRICS, JVM_METRICS, CONSOLE, ALLOW_CONSOLE, CONSOLE_PEERS, CONSOLE_PEER_PORT, CONSOLE_PEER_TIMEOUT,
                GLOBAL, LOG_FORMAT, LOG_LEVEL, LOG_PEER, LOG_CLIENT);
    }
}
