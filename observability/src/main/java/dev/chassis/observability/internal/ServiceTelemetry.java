package dev.chassis.observability.internal;

import java.util.Collection;
import java.util.concurrent.TimeUnit;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.logs.LoggerProvider;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.resources.Resource;

/**
 * One service's OpenTelemetry: the SDK, and what this module serves from it (the trace store, the metric
 * reader). Handed to core through {@code ChassisExtension.openTelemetry}. Not API.
 */
final class ServiceTelemetry implements OpenTelemetry, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ServiceTelemetry.class.getName());
    final OpenTelemetrySdk sdk;
    final Resource resource;
    final TraceStore store; // null when observability.tracing.store.max-spans is 0
    final PrometheusReader reader;
    final JvmMetrics jvm; // null when observability.metrics.jvm is false
    /** observability.tracing.enabled: false — no spans, and the caller's context passes through unchanged. */
    private final boolean tracingOff;
    final boolean global;

    ServiceTelemetry(OpenTelemetrySdk sdk, Resource resource, TraceStore store, PrometheusReader reader, JvmMetrics jvm,
                     boolean tracingOff, boolean global) {
        this.sdk = sdk;
        this.resource = resource;
        this.store = store;
        this.reader = reader;
        this.jvm = jvm;
        this.tracingOff = tracingOff;
        this.global = global;
    }

    @Override
    public TracerProvider getTracerProvider() {
        // a no-op tracer's spans carry their parent's context: sampled flag and all, so downstream services still
        // follow the caller's decision
        return tracingOff ? TracerProvider.noop() : sdk.getTracerProvider();
    }

    /** The metrics now, the JVM's included (registered at the first collection). */
    Collection<MetricData> collect() {
        if (jvm != null) {
            jvm.awaitRegistered();
        }
        return reader.collect();
    }

    /** Stops the JVM listeners, leaves the global bridge, flushes the SDK; bounded, a dead collector cannot hold it. */
    @Override
    public void close() {
        if (jvm != null) {
            jvm.close();
        }
        if (global) {
            GlobalBridge.stopped(this);
        }
        if (!sdk.shutdown().join(5, TimeUnit.SECONDS).isSuccess()) {
            LOG.log(System.Logger.Level.WARNING, "OpenTelemetry did not flush within 5 s; unexported spans are dropped");
        }
    }

    @Override
    public MeterProvider getMeterProvider() {
        return sdk.getMeterProvider();
    }

    @Override
    public LoggerProvider getLogsBridge() {
        return sdk.getLogsBridge();
    }

    @Override
    public ContextPropagators getPropagators() {
        return sdk.getPropagators();
    }
}
