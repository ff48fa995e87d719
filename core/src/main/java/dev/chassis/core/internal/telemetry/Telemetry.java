package dev.chassis.core.internal.telemetry;

import java.util.List;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.propagation.TextMapPropagator;

/**
 * The service's OpenTelemetry and the instruments Chassis records with, built once per service. Disabled
 * (nothing traced, nothing measured, no cost) when no extension brings an SDK. Names and attributes follow
 * the OpenTelemetry semantic conventions. Not API.
 */
public final class Telemetry {
    public static final String SCOPE = "dev.chassis";
    /** The semantic conventions' buckets for request durations, in seconds. */
    public static final List<Double> DURATION_BUCKETS = List.of(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5,
            0.75, 1.0, 2.5, 5.0, 7.5, 10.0);

    public static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
    public static final AttributeKey<String> HTTP_METHOD_ORIGINAL = AttributeKey.stringKey("http.request.method_original");
    public static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
    public static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    public static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    public static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
    public static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
    public static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
    public static final AttributeKey<String> URL_TEMPLATE = AttributeKey.stringKey("url.template");
    public static final AttributeKey<String> PROTOCOL_VERSION = AttributeKey.stringKey("network.protocol.version");
    public static final AttributeKey<String> USER_AGENT = AttributeKey.stringKey("user_agent.original");
    /** The verified client certificate's identity (SPIFFE ID, else DNS SAN, else subject) on a mutual-TLS request. */
    public static final AttributeKey<String> PEER_IDENTITY = AttributeKey.stringKey("chassis.peer.identity");
    /** The verified client certificate's subject (OpenTelemetry's TLS conventions). */
    public static final AttributeKey<String> TLS_CLIENT_SUBJECT = AttributeKey.stringKey("tls.client.subject");
    public static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    public static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    public static final AttributeKey<String> PEER_SERVICE = AttributeKey.stringKey("peer.service");
    public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    public static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
    public static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
    public static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
    public static final AttributeKey<Long> RPC_GRPC_STATUS = AttributeKey.longKey("rpc.grpc.status_code");

    /** The methods the semantic conventions know; any other is {@code _OTHER}. Indexes of {@link #methodIndex}. */
    static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE",
            "PATCH", "QUERY", "_OTHER");
    private static final Telemetry OFF = new Telemetry(null, false);

    private final OpenTelemetry otel;
    private final boolean enabled;
    /** server.tracing.raw-paths: record url.path (served) and url.full (called) with their ids. */
    final boolean rawPaths;
    final Tracer tracer;
    final TextMapPropagator propagator;
    final DoubleHistogram httpServerDuration;
    final Meter meter;
    final DoubleHistogram httpClientDuration;
    final DoubleHistogram rpcServerDuration;
    final DoubleHistogram rpcClientDuration;

    private Telemetry(OpenTelemetry otel, boolean rawPaths) {
        this.enabled = otel != null;
        this.rawPaths = rawPaths;
        this.otel = otel == null ? OpenTelemetry.noop() : otel;
        this.tracer = this.otel.getTracer(SCOPE);
        this.propagator = this.otel.getPropagators().getTextMapPropagator();
        this.meter = this.otel.getMeter(SCOPE);
        this.httpServerDuration = meter.histogramBuilder("http.server.request.duration").setUnit("s")
                .setDescription("Duration of HTTP server requests.").setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
                .build();
        this.httpClientDuration = meter.histogramBuilder("http.client.request.duration").setUnit("s")
                .setDescription("Duration of HTTP client requests.").setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
                .build();
        this.rpcServerDuration = meter.histogramBuilder("rpc.server.call.duration").setUnit("s")
                .setDescription("Duration of RPC calls served.").setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
                .build();
        this.rpcClientDuration = meter.histogramBuilder("rpc.client.call.duration").setUnit("s")
                .setDescription("Duration of RPC calls made.").setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
                .build();
    }

    /** Telemetry over the SDK an extension brought, or disabled when {@code otel} is null; paths as templates only. */
    public static Telemetry of(OpenTelemetry otel) {
        return of(otel, false);
    }

    /**
     * Telemetry over the SDK an extension brought, or disabled when {@code otel} is null.
     *
     * @param rawPaths whether spans carry the request paths as they came ({@code url.path}, {@code url.full}), ids
     *                 included, besides their templates
     */
    public static Telemetry of(OpenTelemetry otel, boolean rawPaths) {
        return otel == null ? OFF : new Telemetry(otel, rawPaths);
    }

    /** Whether an SDK is installed: when not, Chassis adds no filter or interceptor at all. */
    public boolean enabled() {
        return enabled;
    }

    public OpenTelemetry openTelemetry() {
        return otel;
    }

    /** The method as the semantic conventions want it: a known method, or {@code _OTHER}. */
    static String method(String method) {
        return METHODS.get(methodIndex(method));
    }

    /** The index in {@link #METHODS} of a method; unknown methods share the last one. */
    static int methodIndex(String method) {
        return switch (method) {
            case "GET" -> 0;
            case "HEAD" -> 1;
            case "POST" -> 2;
            case "PUT" -> 3;
            case "DELETE" -> 4;
            case "CONNECT" -> 5;
            case "OPTIONS" -> 6;
            case "TRACE" -> 7;
            case "PATCH" -> 8;
            case "QUERY" -> 9;
            default -> 10;
        };
    }

    /** The standard statuses boxed once: a status set as an {@code int} is boxed per span (above 127). */
    private static final Long[] STATUSES = new Long[600];

    static {
        for (int i = 0; i < STATUSES.length; i++) {
            STATUSES[i] = (long) i;
        }
    }

    /** An HTTP status as the attribute's value, without a new {@link Long} for a standard one. */
    static Long status(int code) {
        return code >= 0 && code < STATUSES.length ? STATUSES[code] : Long.valueOf(code);
    }

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
