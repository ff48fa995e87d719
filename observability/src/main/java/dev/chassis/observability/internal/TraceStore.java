package dev.chassis.observability.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

import io.opentelemetry.api.common.AttributeKey;
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
 * The embedded trace store: the last {@code capacity} ended spans of the service, in a ring, of at most
 * {@code tracesPerSecond} traces a second (each admitted by its first span to end; the spans of an admitted trace
 * follow it, but at most {@value #ENTRIES_PER_ADMISSION} of its entries — spans whose parent came from a caller —
 * and {@value #SPANS_PER_ADMISSION} spans in all before it needs another admission, so that a caller repeating one
 * {@code traceparent} cannot bring every request in under one admission; a failed span — one with {@code error.type}
 * — is always kept). Under load the ring would otherwise be overwritten every few milliseconds: every young
 * collection then copied the whole ring, which set the p99 of a service at 50,000 requests a second (3.5 ms pauses
 * every 40 ms), and nobody can read traces that fast anyway. Each span is
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
    private final int tracesPerSecond;
    /** The traces admitted this second: the second's number above 32 bits, the count below. */
    private final AtomicLong admittedThisSecond = new AtomicLong();
    /** Recently admitted trace ids, one per slot by hash: where a trace's later spans find it admitted. */
    private final AtomicReferenceArray<String> admitted = new AtomicReferenceArray<>(ADMITTED_SLOTS);
    /** The entries (spans with a caller's parent) kept under each slot's admission (at most one over the cap). */
    private final AtomicIntegerArray entries = new AtomicIntegerArray(ADMITTED_SLOTS);
    /** The spans kept under each slot's admission (at most one over the cap). */
    private final AtomicIntegerArray spans = new AtomicIntegerArray(ADMITTED_SLOTS);
    private final LongSupplier nanos;
    private final long start;

    private static final int ADMITTED_SLOTS = 1024;
    /**
     * How many entries into the service one admission covers: a trace enters a service once per call to it, a few
     * times for retries or a fan-out; a caller that sends the same {@code traceparent} with every request needs an
     * admission for every few of them, like a caller that sends new ones.
     */
    static final int ENTRIES_PER_ADMISSION = 4;
    /**
     * How many spans one admission covers: a trace's spans in one service, generously; beyond it they need another
     * admission, so that the spans an entry makes before it ends (its calls, which end first) cannot carry a caller
     * that repeats one {@code traceparent} past the budget either.
     */
    static final int SPANS_PER_ADMISSION = 64;
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    TraceStore(String service, int capacity, SpanHygiene hygiene, boolean exceptionDetails, int tracesPerSecond) {
        this(service, capacity, hygiene, exceptionDetails, tracesPerSecond, System::nanoTime);
    }

    TraceStore(String service, int capacity, SpanHygiene hygiene, boolean exceptionDetails, int tracesPerSecond,
               LongSupplier nanos) {
        this.service = service;
        this.ring = new AtomicReferenceArray<>(capacity);
        this.hygiene = hygiene;
        this.exceptionDetails = exceptionDetails;
        this.tracesPerSecond = tracesPerSecond;
        this.nanos = nanos;
        this.start = nanos.getAsLong();
    }

    /**
     * Whether a span is kept: its trace was admitted (and, for an entry, that admission has not covered
     * {@value #ENTRIES_PER_ADMISSION} entries yet), or is admitted now within the second's budget, or it failed.
     */
    private boolean admit(ReadableSpan span) {
        String traceId = span.getSpanContext().getTraceId();
        int slot = traceId.hashCode() & (ADMITTED_SLOTS - 1);
        boolean entry = span.getParentSpanContext().isRemote();
        if (traceId.equals(admitted.getPlain(slot)) && below(spans, slot, SPANS_PER_ADMISSION)
                && (!entry || below(entries, slot, ENTRIES_PER_ADMISSION))) {
            return true;
        }
        long second = (nanos.getAsLong() - start) / 1_000_000_000L;
        while (true) {
            long v = admittedThisSecond.get();
            long counted = v >>> 32;
            long n = counted < second ? 0 : v & 0xFFFF_FFFFL;
            if (n >= tracesPerSecond && counted >= second) {
                return span.getAttribute(ERROR_TYPE) != null; // failures (5xx, a gRPC error) are always kept
            }
            long next = (Math.max(counted, second) << 32) | (n + 1);
            if (admittedThisSecond.compareAndSet(v, next)) {
                admitted.setPlain(slot, traceId); // a racing trace in the same slot loses only its later spans
                entries.set(slot, entry ? 1 : 0);
                spans.set(slot, 1);
                return true;
            }
        }
    }

    /** Counts one more under a slot's admission, unless the cap is passed already (no count runs past it). */
    private static boolean below(AtomicIntegerArray counts, int slot, int cap) {
        return counts.getAndUpdate(slot, n -> n > cap ? n : n + 1) < cap;
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
        if (!span.getSpanContext().isSampled() || !admit(span)) {
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
