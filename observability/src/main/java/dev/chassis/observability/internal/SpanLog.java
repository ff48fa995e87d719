package dev.chassis.observability.internal;

import java.lang.System.Logger.Level;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;

/**
 * Logs every ended, sampled span (its attributes redacted) at DEBUG on {@code dev.chassis.observability.spans}; free
 * when DEBUG is off. Not API.
 */
final class SpanLog implements SpanProcessor {
    static final String LOGGER = "dev.chassis.observability.spans";
    private static final System.Logger LOG = System.getLogger(LOGGER);
    private final SpanHygiene hygiene;

    SpanLog(SpanHygiene hygiene) {
        this.hygiene = hygiene;
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
    }

    @Override
    public boolean isStartRequired() {
        return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {
        if (!span.getSpanContext().isSampled() || !LOG.isLoggable(Level.DEBUG)) {
            return;
        }
        SpanData s = hygiene.apply(span.toSpanData(), true); // the log prints no events
        if (s == null) {
            return; // a redactor failed
        }
        LOG.log(Level.DEBUG, "span {0} {1} trace_id={2} span_id={3} parent_id={4} {5} {6,number,#.###} ms {7}",
                s.getKind(), s.getName(), s.getTraceId(), s.getSpanId(),
                s.getParentSpanContext().isValid() ? s.getParentSpanId() : "-", s.getStatus().getStatusCode(),
                (s.getEndEpochNanos() - s.getStartEpochNanos()) / 1e6, s.getAttributes());
    }

    @Override
    public boolean isEndRequired() {
        return true;
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}
