package dev.chassis.observability.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;

/**
 * The embedded trace store: the last {@code capacity} ended spans of the service, in a ring. Each span is
 * kept as a compact {@link Stored} copy — ids, name, times, status, attributes — not as the SDK's span
 * object, which holds about ten times as much: at 100% sampling under load, the ring's spans are what the
 * young-generation collector copies, and a store of SDK spans cost a tenth of the throughput. Spans pass the
 * application's redactors first; exception messages and stack traces are kept only when the store is served on the
 * management port (else only {@code exception.type}). Not API.
 */
final class TraceStore implements SpanProcessor {
    private final String service;
    private final AtomicReferenceArray<Stored> ring;
    private final AtomicLong next = new AtomicLong();
    private final SpanHygiene hygiene;
    /** Whether exception messages and stack traces are kept: only when the store is served on the management port. */
    private final boolean exceptionDetails;

    TraceStore(String service, int capacity, SpanHygiene hygiene, boolean exceptionDetails) {
        this.service = service;
        this.ring = new AtomicReferenceArray<>(capacity);
        this.hygiene = hygiene;
        this.exceptionDetails = exceptionDetails;
    }

    /** What the store keeps of one span. */
    private record Stored(String traceId, String spanId, String parentSpanId, String name, SpanKind kind,
                          long startNanos, long endNanos, StatusCode status, String statusMessage,
                          Attributes attributes, List<EventData> events) {
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
        if (!span.getSpanContext().isSampled()) {
            return;
        }
        SpanData d = hygiene.apply(span.toSpanData(), exceptionDetails);
        if (d == null) {
            return; // a redactor failed: dropped rather than kept unredacted
        }
        String parent = d.getParentSpanContext().isValid() ? d.getParentSpanId() : null;
        String message = d.getStatus().getDescription();
        Stored stored = new Stored(d.getTraceId(), d.getSpanId(), parent, d.getName(), d.getKind(),
                d.getStartEpochNanos(), d.getEndEpochNanos(), d.getStatus().getStatusCode(),
                message == null || message.isEmpty() ? null : message, d.getAttributes(),
                d.getEvents().isEmpty() ? List.of() : d.getEvents());
        ring.lazySet((int) (next.getAndIncrement() % ring.length()), stored);
    }

    @Override
    public boolean isEndRequired() {
        return true;
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }

    /** Summary of one trace, newest first in {@link #traces}. */
    record TraceSummary(String traceId, String root, Instant start, double durationMs, int spanCount, String status,
                        List<String> services) {
    }

    /** One span as served. */
    record SpanView(String spanId, String parentSpanId, String name, String kind, String service, Instant start,
                    double durationMs, String status, String statusMessage, Map<String, Object> attributes,
                    List<Map<String, Object>> events) {
    }

    /** The most recent traces (by their last span's end), at most {@code limit}; only failed ones if asked. */
    List<TraceSummary> traces(int limit, boolean errorsOnly) {
        Map<String, List<Stored>> byTrace = new LinkedHashMap<>();
        for (Stored s : snapshot()) {
            byTrace.computeIfAbsent(s.traceId(), k -> new ArrayList<>()).add(s);
        }
        List<TraceSummary> out = new ArrayList<>();
        for (Map.Entry<String, List<Stored>> e : byTrace.entrySet()) {
            List<Stored> spans = e.getValue();
            long start = spans.stream().mapToLong(Stored::startNanos).min().orElse(0);
            long end = spans.stream().mapToLong(Stored::endNanos).max().orElse(0);
            boolean error = spans.stream().anyMatch(s -> s.status() == StatusCode.ERROR);
            if (errorsOnly && !error) {
                continue;
            }
            Stored root = root(spans);
            out.add(new TraceSummary(e.getKey(), root.name(), instant(start), (end - start) / 1e6, spans.size(),
                    error ? "ERROR" : "OK", List.of(service)));
        }
        out.sort(Comparator.comparing((TraceSummary t) -> t.start().plusNanos((long) (t.durationMs() * 1e6)))
                .reversed());
        return out.size() > limit ? out.subList(0, limit) : out;
    }

    /** The spans of one trace in start order; empty when the store holds none. */
    List<SpanView> trace(String traceId) {
        return snapshot().stream()
                .filter(s -> s.traceId().equals(traceId))
                .sorted(Comparator.comparingLong(Stored::startNanos))
                .map(this::view)
                .toList();
    }

    private List<Stored> snapshot() {
        List<Stored> spans = new ArrayList<>(ring.length());
        for (int i = 0; i < ring.length(); i++) {
            Stored s = ring.get(i);
            if (s != null) {
                spans.add(s);
            }
        }
        return spans;
    }

    /** The span whose parent is not in the store: the trace's entry into this service. */
    private static Stored root(List<Stored> spans) {
        Set<String> ids = new HashSet<>();
        spans.forEach(s -> ids.add(s.spanId()));
        return spans.stream().filter(s -> s.parentSpanId() == null || !ids.contains(s.parentSpanId()))
                .min(Comparator.comparingLong(Stored::startNanos)).orElse(spans.get(0));
    }

    private SpanView view(Stored s) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        s.attributes().forEach((k, v) -> attributes.put(k.getKey(), v));
        List<Map<String, Object>> events = new ArrayList<>();
        for (EventData e : s.events()) {
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("name", e.getName());
            event.put("time", instant(e.getEpochNanos()));
            Map<String, Object> ea = new LinkedHashMap<>();
            e.getAttributes().forEach((k, v) -> ea.put(k.getKey(), v));
            event.put("attributes", ea);
            events.add(event);
        }
        return new SpanView(s.spanId(), s.parentSpanId(), s.name(), s.kind().name(), service,
                instant(s.startNanos()), (s.endNanos() - s.startNanos()) / 1e6, s.status().name(), s.statusMessage(),
                attributes, events);
    }

    private static Instant instant(long epochNanos) {
        return Instant.ofEpochSecond(0, epochNanos);
    }
}
