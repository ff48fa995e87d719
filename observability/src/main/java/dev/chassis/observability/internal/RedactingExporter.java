package dev.chassis.observability.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/**
 * An exporter (OTLP, or whatever {@code OTEL_TRACES_EXPORTER} names) behind the application's span redactors: it
 * sends spans as {@link SpanHygiene} leaves them, on the exporter's own thread. Exception messages and stack traces
 * stay: the collector is infrastructure the operator trusts. Not API.
 */
final class RedactingExporter implements SpanExporter {
    private final SpanExporter delegate;
    private final SpanHygiene hygiene;

    RedactingExporter(SpanExporter delegate, SpanHygiene hygiene) {
        this.delegate = delegate;
        this.hygiene = hygiene;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        List<SpanData> out = new ArrayList<>(spans.size());
        for (SpanData s : spans) {
            SpanData kept = hygiene.apply(s, true);
            if (kept != null) {
                out.add(kept);
            }
        }
        return out.isEmpty() ? CompletableResultCode.ofSuccess() : delegate.export(out);
    }

    @Override
    public CompletableResultCode flush() {
        return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
        return delegate.shutdown();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "RedactingExporter{" + delegate + "}";
    }
}
