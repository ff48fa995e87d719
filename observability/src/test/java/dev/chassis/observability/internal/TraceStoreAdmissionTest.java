package dev.chassis.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.SdkTracerProvider;

/** The store admits at most so many traces a second, whole, and every failed span; on a clock the test moves. */
class TraceStoreAdmissionTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final TraceStore store = new TraceStore("svc", 1000, new SpanHygiene("svc", List.of()), false, 2, now::get);
    private final SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(store).build();
    private final Tracer tracer = provider.get("test");

    @AfterEach
    void close() {
        provider.close();
    }

    /** A trace of a server span with one client span inside, which ends first; returns its trace id. */
    private String trace(String name, boolean failed) {
        Span server = tracer.spanBuilder(name).startSpan();
        Span client = tracer.spanBuilder(name + " call").setParent(Context.root().with(server)).startSpan();
        client.end();
        if (failed) {
            server.setAttribute("error.type", "500");
        }
        server.end();
        return server.getSpanContext().getTraceId();
    }

    @Test
    void atMostSoManyTracesASecondAreKeptWholeAndFailuresAlways() {
        String first = trace("a", false);
        String second = trace("b", false);
        String third = trace("c", false);
        String failed = trace("d", true);
        List<TraceStore.TraceSummary> kept = store.traces(100, false);
        assertThat(kept).extracting(TraceStore.TraceSummary::traceId).containsExactlyInAnyOrder(first, second, failed);
        assertThat(kept).filteredOn(t -> !t.traceId().equals(failed)).allSatisfy(t -> assertThat(t.spanCount()).isEqualTo(2));
        assertThat(kept).filteredOn(t -> t.traceId().equals(failed)).singleElement()
                .satisfies(t -> assertThat(t.spanCount()).as("only the failed span: its trace was not admitted").isEqualTo(1));
        assertThat(third).isNotIn(first, second);

        now.addAndGet(1_000_000_000L); // the next second: room again
        String fifth = trace("e", false);
        assertThat(store.traces(100, false)).extracting(TraceStore.TraceSummary::traceId).contains(fifth);
    }

    /** A request whose caller sent {@code traceparent} with this trace id: a server span with a remote parent. */
    private void entry(String traceId, String callerSpanId) {
        SpanContext caller = SpanContext.createFromRemoteParent(traceId, callerSpanId, TraceFlags.getSampled(),
                TraceState.getDefault());
        tracer.spanBuilder("GET /anything").setParent(Context.root().with(Span.wrap(caller))).startSpan().end();
    }

    @Test
    void aCallerRepeatingOneTraceparentNeedsAnAdmissionEveryFewRequests() {
        String repeated = "4bf92f3577b34da6a3ce929d0e0e4736";
        for (int i = 0; i < 50; i++) {
            entry(repeated, String.format("%016x", i + 1));
        }
        // the budget is 2 a second: two admissions, each covering ENTRIES_PER_ADMISSION entries
        assertThat(store.traces(100, false)).singleElement().satisfies(t -> {
            assertThat(t.traceId()).isEqualTo(repeated);
            assertThat(t.spanCount()).isEqualTo(2 * TraceStore.ENTRIES_PER_ADMISSION);
        });

        now.addAndGet(1_000_000_000L); // the next second: the budget is back, and another caller's trace gets in
        String other = trace("legit", false);
        assertThat(store.traces(100, false)).extracting(TraceStore.TraceSummary::traceId).contains(other);
    }

    /** The same when each request makes a call: its span ends before the entry's and once rode on the admission. */
    @Test
    void theCallsOfRepeatedEntriesCannotCarryThemPastTheBudgetEither() {
        String repeated = "4bf92f3577b34da6a3ce929d0e0e4736";
        for (int i = 0; i < 200; i++) {
            SpanContext caller = SpanContext.createFromRemoteParent(repeated, String.format("%016x", i + 1),
                    TraceFlags.getSampled(), TraceState.getDefault());
            Span entry = tracer.spanBuilder("GET /anything").setParent(Context.root().with(Span.wrap(caller))).startSpan();
            tracer.spanBuilder("call").setParent(Context.root().with(entry)).startSpan().end();
            entry.end();
        }
        // budget 2 a second: at most 2 admissions of SPANS_PER_ADMISSION spans (it was all 400)
        assertThat(store.traces(100, false)).singleElement().satisfies(t ->
                assertThat(t.spanCount()).isBetween(2, 2 * TraceStore.SPANS_PER_ADMISSION));
    }

    @Test
    void aTraceEnteringTheServiceAFewTimesIsKeptWhole() {
        String traceId = "0af7651916cd43dd8448eb211c80319c";
        for (int i = 0; i < TraceStore.ENTRIES_PER_ADMISSION; i++) {
            entry(traceId, String.format("%016x", i + 1));
        }
        assertThat(store.traces(100, false)).singleElement()
                .satisfies(t -> assertThat(t.spanCount()).isEqualTo(TraceStore.ENTRIES_PER_ADMISSION));
    }
}
