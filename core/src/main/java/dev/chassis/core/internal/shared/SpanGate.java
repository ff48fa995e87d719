package dev.chassis.core.internal.shared;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;

/**
 * Whether a request's server span is worth recording, for an OpenTelemetry that knows who reads its spans. With no
 * exporter, a span that the service's own trace store will not keep (past its traces a second) costs the SDK's span,
 * attribute map, locks and processors for nothing; such a span is then carried by its ids alone — the handler's
 * context, its log lines and its outgoing calls see the same trace id, span id and sampled flag — and a request that
 * fails (5xx) is recorded at its end under those same ids, so the store still keeps every failure. Implemented by the
 * OpenTelemetry an extension hands to core, only when this holds; thread-safe. Not API.
 */
public interface SpanGate {
    /**
     * Whether a sampled server span that enters this service now is recorded.
     *
     * @param traceId the caller's trace id, or null when the request starts a trace
     */
    boolean records(String traceId);

    /** A new random trace id (32 lowercase hex digits, not all zero). */
    String newTraceId();

    /** A new random span id (16 lowercase hex digits, not all zero). */
    String newSpanId();

    /**
     * Starts the builder's span with the given ids, which a declined span carried: the span of a request that failed
     * after all, recorded at its end.
     */
    Span startWithIds(SpanBuilder builder, String traceId, String spanId);
}
