package dev.chassis.observability.internal;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.config.Setting;
import dev.chassis.core.spi.ChassisExtension;
import dev.chassis.core.spi.ExtensionContext;
import dev.chassis.core.spi.TelemetryContext;
import dev.chassis.observability.spi.SpanRedactor;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Method;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdkBuilder;
import io.opentelemetry.sdk.resources.Resource;

/**
 * {@code chassis-observability}: installs the OpenTelemetry SDK for each service (resource, sampler,
 * exporters, from Chassis configuration with the standard {@code OTEL_*} variables taking precedence), and
 * serves {@code GET /metrics}, {@code GET /observe/traces} and the console, {@code /console} (management routes: on {@code management.port} when it
 * is set). Chassis' own instrumentation in core does the
 * rest. Turned off with {@code chassis.extensions.observability.enabled: false}. Not API.
 */
public final class ObservabilityExtension implements ChassisExtension {
    private static final System.Logger LOG = System.getLogger(ObservabilityExtension.class.getName());
    private static final AttributeKey<String> SERVICE_VERSION = AttributeKey.stringKey("service.version");
    private static final AttributeKey<String> SERVICE_INSTANCE_ID = AttributeKey.stringKey("service.instance.id");

    @Override
    public String name() {
        return "observability";
    }

    @Override
    public List<Setting<?>> settings() {
        return ObservabilitySettings.all();
    }

    @Override
    public OpenTelemetry openTelemetry(TelemetryContext context) {
        ServiceInfo service = context.service();
        Config config = context.config();
        LogSetup.apply(config.get(ObservabilitySettings.LOG_FORMAT), config.get(ObservabilitySettings.LOG_LEVEL),
                config.get(ObservabilitySettings.LOG_PEER), config.get(ObservabilitySettings.LOG_CLIENT), service.name());
        OtlpTls tls = context.tls(ObservabilitySettings.OTLP_TLS_BUNDLE).map(OtlpTls::new).orElse(null);
        List<URI> endpoints = config.find(ObservabilitySettings.OTLP_ENDPOINT).orElse(List.of());
        if (endpoints.size() > 1) {
            throw new ConfigException(List.of("observability.otlp.endpoint takes one collector; it lists "
                    + endpoints.size()));
        }
        Map<String, String> defaults = new HashMap<>();
        defaults.put("otel.service.name", service.name());
        // Chassis gives the instance id (service.instance-id); the random one autoconfigure would add first makes the
        // SDK warn at every start that the resource changed it (SdkComponents does not even create that provider)
        defaults.put("otel.java.disabled.resource.providers", SdkComponents.RANDOM_INSTANCE_ID);
        defaults.put("otel.traces.exporter",
                config.get(ObservabilitySettings.EXPORTER) == ObservabilitySettings.Exporter.OTLP ? "otlp" : "none");
        defaults.put("otel.metrics.exporter", "none");
        defaults.put("otel.logs.exporter", "none");
        defaults.put("otel.traces.sampler", "parentbased_traceidratio");
        defaults.put("otel.traces.sampler.arg", Double.toString(config.get(ObservabilitySettings.SAMPLER_RATIO)));
        defaults.put("otel.span.attribute.value.length.limit",
                Integer.toString(config.get(ObservabilitySettings.MAX_ATTRIBUTE_LENGTH)));
        defaults.put("otel.span.attribute.count.limit", Integer.toString(config.get(ObservabilitySettings.MAX_ATTRIBUTES)));
        defaults.put("otel.exporter.otlp.protocol", "http/protobuf");
        defaults.put("otel.exporter.otlp.timeout", Long.toString(config.get(ObservabilitySettings.OTLP_TIMEOUT).toMillis()));
        endpoints.stream().findFirst().ifPresent(e -> defaults.put("otel.exporter.otlp.endpoint", e.toString()));

        SpanHygiene hygiene = new SpanHygiene(service.name(), redactors(config));
        int capacity = config.get(ObservabilitySettings.STORE_ENABLED) ? config.get(ObservabilitySettings.STORE_SPANS) : 0;
        // exception messages and stack traces quote what requests carried: kept only where the store is served apart
        boolean managementPort = config.raw("management.port").isPresent();
        TraceStore store = capacity > 0 ? new TraceStore(service.name(), capacity, hygiene, managementPort,
                config.get(ObservabilitySettings.STORE_TRACES_PER_SECOND)) : null;
        // only when DEBUG is on for the span logger at start-up (logging.level: debug, or a logging file): a span
        // processor that logs nothing would still be called for every span
        boolean spanLog = config.get(ObservabilitySettings.SPAN_LOG)
                && System.getLogger(SpanLog.LOGGER).isLoggable(System.Logger.Level.DEBUG);
        PrometheusReader reader = new PrometheusReader();
        ObservabilitySettings.B3 b3 = config.get(ObservabilitySettings.B3_OUTGOING);
        AtomicReference<Resource> resource = new AtomicReference<>();
        AtomicBoolean pushesMetrics = new AtomicBoolean(); // OTEL_METRICS_EXPORTER names an exporter
        OpenTelemetrySdk sdk;
        try {
            AutoConfiguredOpenTelemetrySdkBuilder builder = AutoConfiguredOpenTelemetrySdk.builder();
            if (tls != null) {
                tls.applyTo(builder);
            }
            sdk = builder
                    .addPropertiesSupplier(() -> defaults)
                    .addResourceCustomizer((r, c) -> {
                        // Chassis' identity, unless OTEL_RESOURCE_ATTRIBUTES says otherwise (the service name comes
                        // through otel.service.name above, which OTEL_SERVICE_NAME overrides)
                        Map<String, String> explicit = c.getMap("otel.resource.attributes");
                        var ours = Attributes.builder();
                        if (!explicit.containsKey(SERVICE_VERSION.getKey())) {
                            ours.put(SERVICE_VERSION, service.version());
                        }
                        if (!explicit.containsKey(SERVICE_INSTANCE_ID.getKey())) {
                            ours.put(SERVICE_INSTANCE_ID, service.instanceId());
                        }
                        Resource merged = r.merge(Resource.create(ours.build()));
                        resource.set(merged);
                        return merged;
                    })
                    .addTracerProviderCustomizer((b, c) -> {
                        b.setIdGenerator(new HexIds());
                        if (store != null) {
                            b.addSpanProcessor(store);
                        }
                        if (spanLog) {
                            b.addSpanProcessor(new SpanLog(hygiene));
                        }
                        return b;
                    })
                    .addSpanExporterCustomizer((exporter, c) -> hygiene.redacts()
                            ? new RedactingExporter(exporter, hygiene) : exporter)
                    .addPropagatorCustomizer((p, c) -> GatewayPropagation.customize(p, b3))
                    .addMeterProviderCustomizer((b, c) -> {
                        pushesMetrics.set(c.getList("otel.metrics.exporter").stream().anyMatch(e -> !e.equals("none")));
                        return b.registerMetricReader(reader);
                    })
                    .disableShutdownHook() // the service shuts the SDK down when it stops
                    .setComponentLoader(new SdkComponents(ObservabilityExtension.class.getClassLoader()))
                    .build()
                    .getOpenTelemetrySdk();
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ConfigException ours) {
                    throw ours; // a customizer's (a bundle with a plaintext collector), already naming the key
                }
            }
            // autoconfigure's ConfigurationException names the bad OTEL_* / otel.* value
            throw new ConfigException(List.of("OpenTelemetry could not be set up: " + e.getMessage()));
        }
        JvmMetrics jvm = config.get(ObservabilitySettings.JVM_METRICS) ? new JvmMetrics(sdk.getMeter("dev.chassis.jvm"))
                : null;
        if (jvm != null && pushesMetrics.get()) {
            jvm.start(); // an exporter collects on its own schedule: register now (in the background), not at a scrape
        }
        ServiceTelemetry telemetry = new ServiceTelemetry(sdk, resource.get() == null ? Resource.getDefault()
                : resource.get(), store, reader, jvm, !config.get(ObservabilitySettings.TRACING),
                config.get(ObservabilitySettings.GLOBAL));
        if (telemetry.global) {
            GlobalBridge.started(telemetry);
            if (!GlobalBridge.install()) {
                LOG.log(Level.DEBUG, "GlobalOpenTelemetry was set by someone else; it is left as it is");
            }
        }
        return telemetry;
    }

    /** The configured keys to mask, then the application's redactors (ServiceLoader), in class-path order. */
    private static List<SpanRedactor> redactors(Config config) {
        List<SpanRedactor> all = new ArrayList<>();
        List<String> keys = config.get(ObservabilitySettings.REDACT);
        if (!keys.isEmpty()) {
            if (keys.stream().anyMatch(String::isBlank)) {
                throw new ConfigException(List.of("observability.tracing.redact = '" + String.join(",", keys)
                        + "': an attribute key is empty; list keys such as enduser.id"));
            }
            all.add(SpanRedactor.masking(keys));
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try {
            ServiceLoader.load(SpanRedactor.class, loader != null ? loader : ObservabilityExtension.class.getClassLoader())
                    .forEach(all::add);
        } catch (ServiceConfigurationError e) {
            throw new ConfigException(List.of("a span redactor listed in META-INF/services/"
                    + SpanRedactor.class.getName() + " cannot be loaded: " + e.getMessage()
                    + (e.getCause() == null ? "" : " (" + e.getCause() + ")")));
        }
        return all;
    }

    @Override
    public void register(ExtensionContext context) {
        if (!(context.openTelemetry() instanceof ServiceTelemetry telemetry)) {
            return; // never: openTelemetry() above always returns one when this extension is enabled
        }
        if (telemetry.store != null) {
            if (context.config().raw("management.port").isEmpty()) {
                context.production().refuseUnless(ObservabilitySettings.ALLOW_STORE, "the trace store (/observe/traces)"
                        + " on the service port", "set management.port (e.g. 9090), or"
                        + " observability.tracing.store.enabled: false");
            }
            context.http().management().endpoint(new TracesEndpoint(context.service().name(), telemetry.store));
        } else {
            context.http().management().endpoint(new TracesOff(!context.config().get(ObservabilitySettings.STORE_ENABLED)
                    ? "observability.tracing.store.enabled is false" : "observability.tracing.store.max-spans is 0"));
        }
        if (context.config().get(ObservabilitySettings.METRICS)) {
            context.http().management().route(Method.GET, "/metrics", (req, res) -> {
                boolean openMetrics = req.headers().acceptedTypes().stream()
                        .map(HttpMediaType::text)
                        .anyMatch(t -> t.startsWith("application/openmetrics-text"));
                String body = PrometheusText.render(telemetry.resource, telemetry.collect(), openMetrics);
                res.header(HeaderNames.CONTENT_TYPE, openMetrics ? PrometheusText.OPENMETRICS_TYPE : PrometheusText.TEXT_TYPE);
                res.send(body);
            });
        }
        if (context.config().get(ObservabilitySettings.CONSOLE)) {
            registerConsole(context, telemetry);
        }
    }

    /** {@code /console}: the page and its JSON, management routes, read-only. */
    private static void registerConsole(ExtensionContext context, ServiceTelemetry telemetry) {
        Config config = context.config();
        if (config.raw("management.port").isEmpty()) {
            context.production().refuseUnless(ObservabilitySettings.ALLOW_CONSOLE, "the console (/console) on the"
                    + " service port", "set management.port (e.g. 9090), or observability.console.enabled: false");
        }
        Peers peers = new Peers(context.calls().resolver(), config.find(ObservabilitySettings.CONSOLE_PEER_PORT).orElse(null),
                config.get(ObservabilitySettings.CONSOLE_PEER_TIMEOUT));
        ConsoleFiles.register(context.http().management());
        context.http().management().endpoint(new ConsoleEndpoint(context.service(), context.clock(), telemetry, config,
                context.settings(), peers, config.get(ObservabilitySettings.CONSOLE_PEERS)));
    }
}
