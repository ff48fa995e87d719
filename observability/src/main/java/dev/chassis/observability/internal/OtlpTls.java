package dev.chassis.observability.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.security.cert.CertificateException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLException;

import dev.chassis.core.config.ConfigException;
import dev.chassis.core.spi.ClientTls;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdkBuilder;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/**
 * The OTLP/HTTP exporters (spans, and metrics or logs when {@code OTEL_*_EXPORTER} turns them on) over the bundle
 * {@code observability.otlp.tls.bundle} names: they trust its CAs and present its certificate, through its
 * SSL context, so that rotated files reach new connections. The collector must be {@code https}.
 * A failed handshake is logged once per collector and reason, naming the bundle. Not API.
 */
final class OtlpTls {
    private static final System.Logger LOG = System.getLogger(OtlpTls.class.getName());
    private static final String DEFAULT_ENDPOINT = "http://localhost:4318";

    private final ClientTls tls;
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    OtlpTls(ClientTls tls) {
        this.tls = tls;
    }

    void applyTo(AutoConfiguredOpenTelemetrySdkBuilder builder) {
        builder.addSpanExporterCustomizer((e, c) -> e instanceof OtlpHttpSpanExporter plain ? spans(plain, c) : e);
        builder.addMetricExporterCustomizer((e, c) -> e instanceof OtlpHttpMetricExporter plain ? metrics(plain, c) : e);
        builder.addLogRecordExporterCustomizer((e, c) -> e instanceof OtlpHttpLogRecordExporter plain ? logs(plain, c) : e);
    }

    private SpanExporter spans(OtlpHttpSpanExporter plain, ConfigProperties config) {
        String peer = collector(config, "traces");
        SpanExporter secure = plain.toBuilder().setSslContext(tls.context(), tls.trustManager()).build();
        plain.shutdown(); // its HTTP client is not used
        return new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                return watched(secure.export(spans), peer);
            }

            @Override
            public CompletableResultCode flush() {
                return secure.flush();
            }

            @Override
            public CompletableResultCode shutdown() {
                return secure.shutdown();
            }

            @Override
            public String toString() {
                return secure + " with bundle " + tls.name();
            }
        };
    }

    private MetricExporter metrics(OtlpHttpMetricExporter plain, ConfigProperties config) {
        String peer = collector(config, "metrics");
        MetricExporter secure = plain.toBuilder().setSslContext(tls.context(), tls.trustManager()).build();
        plain.shutdown();
        return new MetricExporter() {
            @Override
            public CompletableResultCode export(Collection<MetricData> metrics) {
                return watched(secure.export(metrics), peer);
            }

            @Override
            public AggregationTemporality getAggregationTemporality(InstrumentType type) {
                return secure.getAggregationTemporality(type);
            }

            @Override
            public Aggregation getDefaultAggregation(InstrumentType type) {
                return secure.getDefaultAggregation(type);
            }

            @Override
            public MemoryMode getMemoryMode() {
                return secure.getMemoryMode();
            }

            @Override
            public CompletableResultCode flush() {
                return secure.flush();
            }

            @Override
            public CompletableResultCode shutdown() {
                return secure.shutdown();
            }
        };
    }

    private LogRecordExporter logs(OtlpHttpLogRecordExporter plain, ConfigProperties config) {
        String peer = collector(config, "logs");
        LogRecordExporter secure = plain.toBuilder().setSslContext(tls.context(), tls.trustManager()).build();
        plain.shutdown();
        return new LogRecordExporter() {
            @Override
            public CompletableResultCode export(Collection<LogRecordData> logs) {
                return watched(secure.export(logs), peer);
            }

            @Override
            public CompletableResultCode flush() {
                return secure.flush();
            }

            @Override
            public CompletableResultCode shutdown() {
                return secure.shutdown();
            }
        };
    }

    /**
     * "the OTLP collector at &lt;url&gt;", the URL the signal is sent to as OpenTelemetry resolves it.
     *
     * @throws ConfigException when it is not https: a bundle over plaintext would protect nothing
     */
    private String collector(ConfigProperties config, String signal) {
        String own = config.getString("otel.exporter.otlp." + signal + ".endpoint");
        String url = own != null ? own
                : config.getString("otel.exporter.otlp.endpoint", DEFAULT_ENDPOINT).replaceAll("/+$", "") + "/v1/" + signal;
        if (!"https".equalsIgnoreCase(URI.create(url).getScheme())) {
            throw new ConfigException(List.of(ObservabilitySettings.OTLP_TLS_BUNDLE.key() + " = '" + tls.name()
                    + "' is set, but the collector's endpoint " + url + " is not https: set observability.otlp.endpoint"
                    + " (or OTEL_EXPORTER_OTLP_ENDPOINT) to the collector's https:// URL, or unset the bundle"));
        }
        return "the OTLP collector at " + url;
    }

    /** Logs a failed export whose cause is a TLS handshake, once per collector and reason. */
    private CompletableResultCode watched(CompletableResultCode result, String peer) {
        result.whenComplete(() -> {
            Throwable failure = result.getFailureThrowable();
            if (!result.isSuccess() && failure != null && tlsFailure(failure)) {
                String message = tls.handshakeFailure(peer, failure);
                // without a key, the alert and the closed connection are one cause: logged once between them
                String key = !tls.hasKey() && message.contains("' has none") ? peer + " wants a client certificate" : message;
                if (logged.add(key)) {
                    LOG.log(Level.WARNING, message + " (logged once; every export fails until this is fixed)");
                }
            }
        });
        return result;
    }

    private boolean tlsFailure(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SSLException || t instanceof CertificateException) {
                return true;
            }
        }
        // TLS 1.3: a collector that wants a client certificate checks it after the client's handshake is done, and
        // may close before its alert is read — the export then fails writing or reading ("broken pipe", "no bytes")
        return !tls.hasKey() && closed(failure);
    }

    private static boolean closed(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            String m = t instanceof IOException && t.getMessage() != null ? t.getMessage().toLowerCase(Locale.ROOT) : "";
            if (m.contains("broken pipe") || m.contains("connection reset") || m.contains("no bytes")) {
                return true;
            }
        }
        return false;
    }
}
