package dev.chassis.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.SdkTracerProvider;

/** The ids are what W3C Trace Context and OpenTelemetry accept, and random. */
class HexIdsTest {
    @Test
    void idsAreValidLowercaseHexAndDoNotRepeat() {
        HexIds ids = new HexIds();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String trace = ids.generateTraceId();
            String span = ids.generateSpanId();
            assertThat(TraceId.isValid(trace)).as(trace).isTrue();
            assertThat(SpanId.isValid(span)).as(span).isTrue();
            assertThat(trace).matches("[0-9a-f]{32}");
            assertThat(span).matches("[0-9a-f]{16}");
            assertThat(seen.add(trace)).isTrue();
            assertThat(seen.add(span)).isTrue();
        }
    }

    @Test
    void aSpanStartedWithGivenIdsTakesThemOnceAndTheNextSpanGetsItsOwn() {
        // a provider without a span processor starts no spans at all: the store is one
        try (SdkTracerProvider provider = SdkTracerProvider.builder().setIdGenerator(new HexIds())
                .addSpanProcessor(new TraceStore("svc", 10, new SpanHygiene("svc", List.of()), false, 100)).build()) {
            Tracer tracer = provider.get("test");
            String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
            Span root = HexIds.startWith(tracer.spanBuilder("root"), trace, "00f067aa0ba902b7");
            assertThat(root.getSpanContext().getTraceId()).isEqualTo(trace);
            assertThat(root.getSpanContext().getSpanId()).isEqualTo("00f067aa0ba902b7");
            // under a parent the trace id is the parent's: the given one is not used, and not left for later
            Span child = HexIds.startWith(tracer.spanBuilder("child").setParent(Context.root().with(root)),
                    "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331");
            assertThat(child.getSpanContext().getTraceId()).isEqualTo(trace);
            assertThat(child.getSpanContext().getSpanId()).isEqualTo("b7ad6b7169203331");
            Span next = tracer.spanBuilder("next").startSpan();
            assertThat(next.getSpanContext().getTraceId()).isNotIn(trace, "0af7651916cd43dd8448eb211c80319c");
            assertThat(next.getSpanContext().getSpanId()).isNotIn("00f067aa0ba902b7", "b7ad6b7169203331");
        }
    }
}
