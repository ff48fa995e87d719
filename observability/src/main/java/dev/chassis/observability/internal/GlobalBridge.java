package dev.chassis.observability.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.logs.LoggerProvider;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.propagation.ContextPropagators;

/**
 * What {@link GlobalOpenTelemetry} holds when Chassis registers it: one forwarder per JVM, pointing at a
 * running service's SDK — the first one started, then the next one still running when it stops, else none.
 * {@code GlobalOpenTelemetry.getTracer(...)} called when needed follows; a tracer kept from an earlier call
 * stays with its service. Not API.
 */
final class GlobalBridge implements OpenTelemetry {
    private static final GlobalBridge INSTANCE = new GlobalBridge();
    private static final List<ServiceTelemetry> RUNNING = new CopyOnWriteArrayList<>();
    private final AtomicReference<OpenTelemetry> current = new AtomicReference<>(OpenTelemetry.noop());

    private GlobalBridge() {
    }

    private static boolean installed;

    /** Registers the bridge as the global OpenTelemetry, unless something else is; true when it is the global. */
    static synchronized boolean install() {
        if (!installed && !GlobalOpenTelemetry.isSet()) {
            try {
                GlobalOpenTelemetry.set(INSTANCE);
                installed = true;
            } catch (IllegalStateException raced) {
                // set by someone else between the check and the set
            }
        }
        return installed;
    }

    static synchronized void started(ServiceTelemetry telemetry) {
        RUNNING.add(telemetry);
        INSTANCE.current.compareAndSet(OpenTelemetry.noop(), telemetry);
    }

    static synchronized void stopped(ServiceTelemetry telemetry) {
        RUNNING.remove(telemetry);
        if (INSTANCE.current.get() == telemetry) {
            INSTANCE.current.set(RUNNING.isEmpty() ? OpenTelemetry.noop() : RUNNING.get(0));
        }
    }

    @Override
    public TracerProvider getTracerProvider() {
        return current.get().getTracerProvider();
    }

    @Override
    public MeterProvider getMeterProvider() {
        return current.get().getMeterProvider();
    }

    @Override
    public LoggerProvider getLogsBridge() {
        return current.get().getLogsBridge();
    }

    @Override
    public ContextPropagators getPropagators() {
        return current.get().getPropagators();
    }
}
