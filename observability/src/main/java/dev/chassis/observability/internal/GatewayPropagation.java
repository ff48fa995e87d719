package dev.chassis.observability.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.extension.trace.propagation.B3Propagator;

/**
 * W3C trace context, and B3 as gateways and meshes send it (Kong, Zipkin, older Envoy and Istio): a request with a
 * valid {@code traceparent} continues that trace; one without continues the trace of its {@code b3} header or of its
 * {@code X-B3-*} headers. Outgoing calls carry {@code traceparent}, and B3 too when
 * {@code observability.propagation.b3} asks for it. Stands in for the W3C propagator autoconfigure builds. Not API.
 */
final class GatewayPropagation implements TextMapPropagator {
    private static final String B3_SINGLE = "b3";
    private static final String B3_TRACE_ID = "X-B3-TraceId";

    private final TextMapPropagator w3c;
    private final TextMapPropagator b3In = B3Propagator.injectingSingleHeader(); // extracts single and multi alike
    private final TextMapPropagator b3Out;
    private final List<String> fields;

    private GatewayPropagation(TextMapPropagator w3c, ObservabilitySettings.B3 outgoing) {
        this.w3c = w3c;
        this.b3Out = switch (outgoing) {
            case NONE -> null;
            case SINGLE -> B3Propagator.injectingSingleHeader();
            case MULTI -> B3Propagator.injectingMultiHeaders();
        };
        List<String> all = new ArrayList<>(w3c.fields());
        if (b3Out != null) {
            all.addAll(b3Out.fields());
        }
        this.fields = List.copyOf(all);
    }

    /** For autoconfigure's propagator customizer: the W3C trace-context propagator wrapped, any other as it is. */
    static TextMapPropagator customize(TextMapPropagator configured, ObservabilitySettings.B3 outgoing) {
        return configured instanceof W3CTraceContextPropagator ? new GatewayPropagation(configured, outgoing) : configured;
    }

    @Override
    public Collection<String> fields() {
        return fields;
    }

    @Override
    public <C> void inject(Context context, C carrier, TextMapSetter<C> setter) {
        w3c.inject(context, carrier, setter);
        if (b3Out != null) {
            b3Out.inject(context, carrier, setter);
        }
    }

    @Override
    public <C> Context extract(Context context, C carrier, TextMapGetter<C> getter) {
        Context extracted = w3c.extract(context, carrier, getter);
        if (Span.fromContext(extracted).getSpanContext().isValid()
                || getter.get(carrier, B3_SINGLE) == null && getter.get(carrier, B3_TRACE_ID) == null) {
            // without a B3 header the B3 extractor finds nothing, but OpenTelemetry 1.68 builds the text of a FINE log
            // line ("Invalid TraceId in B3 header: 'null'") on every such request first
            return extracted;
        }
        return b3In.extract(context, carrier, getter);
    }
}
