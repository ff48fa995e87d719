package dev.chassis.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceId;

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
}
