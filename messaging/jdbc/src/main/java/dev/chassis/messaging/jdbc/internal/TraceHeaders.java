package dev.chassis.messaging.jdbc.internal;

import java.util.List;
import java.util.Map;

import dev.chassis.core.internal.shared.TraceContextHeaders;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;

/** The W3C trace context and baggage of an outbox row: stored at publish, continued by the relay. Not API. */
final class TraceHeaders {
    private static final TextMapPropagator W3C = TextMapPropagator.composite(W3CTraceContextPropagator.getInstance(),
            W3CBaggagePropagator.getInstance());
    private static final TextMapGetter<Map<String, List<String>>> GETTER = TraceContextHeaders.getter(Map::get);

    private TraceHeaders() {
    }

    /** Adds the current context's {@code traceparent}, {@code tracestate} and {@code baggage} to the headers. */
    static void store(Map<String, List<String>> headers) {
        W3C.inject(Context.current(), headers, (h, name, value) -> h.put(name, List.of(value)));
    }

    /** The context the headers carry (the root context when none). */
    static Context restore(Map<String, List<String>> headers) {
        return TraceContextHeaders.extract(W3C, headers, GETTER);
    }
}
