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
    static final Setting<Integer> STORE_SPANS = Setting.integer("observability.tracing.store.max-spans", 2_000)
            .range(0, 1_000_000).describedAs("spans kept for GET /observe/traces; 0 turns the store off");
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
    static final Setting<Boolean> GLOBAL = Setting.bool("observability.global", true)
            .describedAs("also register the SDK as GlobalOpenTelemetry, when nothing else has");
    static final Setting<LogFormat> LOG_FORMAT = Setting.oneOf("logging.format", LogFormat.class, LogFormat.TEXT)
            .describedAs("text: one line per record; json: one JSON object per line");
    static final Setting<LogLevel> LOG_LEVEL = Setting.oneOf("logging.level", LogLevel.class, LogLevel.INFO)
            .describedAs("the lowest level logged");
    static final Setting<Boolean> LOG_PEER = Setting.bool("logging.peer-identity", false)
            .describedAs("add the verified caller (mutual TLS: its SPIFFE ID, else DNS name or subject) to the lines"
                    + " logged while serving its request, as peer");

    private ObservabilitySettings() {
    }

    static List<Setting<?>> all() {
        return List.of(TRACING, SAMPLER_RATIO, EXPORTER, B3_OUTGOING, ALLOW_STORE, STORE_SPANS, SPAN_LOG, OTLP_ENDPOINT,
                OTLP_TIMEOUT, OTLP_TLS_BUNDLE,
                METRICS, JVM_METRICS, GLOBAL, LOG_FORMAT, LOG_LEVEL, LOG_PEER);
    }
}
