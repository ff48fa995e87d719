package dev.chassis.observability.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;

/**
 * The embedded trace store: the last {@code capacity} ended spans of the service, in a ring. Recording is
 * one counter increment and one array write per span, so it is cheap enough to stay on at 100% sampling;
 * spans are turned into data only when {@code GET /observe/traces} asks. Not API.
 */
final class TraceStore implements SpanProcessor {
    private final AtomicReferenceArray<ReadableSpan> ring;
    private final AtomicLong next = new AtomicLong();

    TraceStore(int capacity) {
        this.ring = new AtomicReferenceArray<>(capacity);
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
        if (span.getSpanContext().isSampled()) {
            ring.lazySet((int) (next.getAndIncrement() % ring.length()), span);
        }
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
        Map<String, List<SpanData>> byTrace = new LinkedHashMap<>();
        for (SpanData s : snapshot()) {
            byTrace.computeIfAbsent(s.getTraceId(), k -> new ArrayList<>()).add(s);
        }
        List<TraceSummary> out = new ArrayList<>();
        for (Map.Entry<String, List<SpanData>> e : byTrace.entrySet()) {
            List<SpanData> spans = e.getValue();
            long start = spans.stream().mapToLong(SpanData::getStartEpochNanos).min().orElse(0);
            long end = spans.stream().mapToLong(SpanData::getEndEpochNanos).max().orElse(0);
            boolean error = spans.stream().anyMatch(s -> s.getStatus().getStatusCode() == StatusCode.ERROR);
            if (errorsOnly && !error) {
                continue;
            }
            SpanData root = root(spans);
            out.add(new TraceSummary(e.getKey(), root.getName(), instant(start), (end - start) / 1e6, spans.size(),
                    error ? "ERROR" : "OK", spans.stream().map(TraceStore::service).distinct().sorted().toList()));
        }
        out.sort(Comparator.comparing((TraceSummary t) -> t.start().plusNanos((long) (t.durationMs() * 1e6)))
                .reversed());
        return out.size() > limit ? out.subList(0, limit) : out;
    }

    /** The spans of one trace in start order; empty when the store holds none. */
    List<SpanView> trace(String traceId) {
        return snapshot().stream()
                .filter(s -> s.getTraceId().equals(traceId))
                .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos))
                .map(TraceStore::view)
                .toList();
    }

    private List<SpanData> snapshot() {
        List<SpanData> spans = new ArrayList<>(ring.length());
        for (int i = 0; i < ring.length(); i++) {
            ReadableSpan s = ring.get(i);
            if (s != null) {
                spans.add(s.toSpanData());
            }
        }
        return spans;
    }

    /** The span whose parent is not in the store: the trace's entry into this service. */
    private static SpanData root(List<SpanData> spans) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        spans.forEach(s -> ids.add(s.getSpanId()));
        return spans.stream().filter(s -> !ids.contains(s.getParentSpanId()))
                .min(Comparator.comparingLong(SpanData::getStartEpochNanos)).orElse(spans.get(0));
    }

    private static SpanView view(SpanData s) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        s.getAttributes().forEach((k, v) -> attributes.put(k.getKey(), v));
        List<Map<String, Object>> events = new ArrayList<>();
        for (EventData e : s.getEvents()) {
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("name", e.getName());
            event.put("time", instant(e.getEpochNanos()));
            Map<String, Object> ea = new LinkedHashMap<>();
            e.getAttributes().forEach((k, v) -> ea.put(k.getKey(), v));
            event.put("attributes", ea);
            events.add(event);
        }
        String parent = s.getParentSpanContext().isValid() ? s.getParentSpanId() : null;
        String message = s.getStatus().getDescription();
        return new SpanView(s.getSpanId(), parent, s.getName(), s.getKind().name(), service(s),
                instant(s.getStartEpochNanos()), (s.getEndEpochNanos() - s.getStartEpochNanos()) / 1e6,
                s.getStatus().getStatusCode().name(), message == null || message.isEmpty() ? null : message,
                attributes, events);
    }

    private static String service(SpanData s) {
        String name = s.getResource().getAttribute(io.opentelemetry.api.common.AttributeKey.stringKey("service.name"));
        return name == null ? "unknown" : name;
    }

    private static Instant instant(long epochNanos) {
        return Instant.ofEpochSecond(0, epochNanos);
    }
}
