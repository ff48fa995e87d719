package dev.chassis.observability.internal;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.logs.LoggerProvider;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;

/**
 * One service's OpenTelemetry: the SDK, and what this module serves from it (the trace store, the metric
 * reader). Handed to core through {@code ChassisExtension.openTelemetry}. Not API.
 */
final class ServiceTelemetry implements OpenTelemetry {
    final OpenTelemetrySdk sdk;
    final Resource resource;
    final TraceStore store; // null when observability.tracing.store.max-spans is 0
    final PrometheusReader reader;
    final JvmMetrics jvm; // null when observability.metrics.jvm is false

    ServiceTelemetry(OpenTelemetrySdk sdk, Resource resource, TraceStore store, PrometheusReader reader, JvmMetrics jvm) {
        this.sdk = sdk;
        this.resource = resource;
        this.store = store;
        this.reader = reader;
        this.jvm = jvm;
    }

    @Override
    public TracerProvider getTracerProvider() {
        return sdk.getTracerProvider();
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
