package dev.chassis.testing;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The spans a running service captured (its {@code /observe/traces} store, with chassis-observability), for tests
 * that check what was traced:
 *
 * <pre>{@code
 * client.get("/orders/1", "traceparent", "00-" + trace + "-00f067aa0ba902b7-01");
 * List<JsonNode> spans = CapturedSpans.of(service.uri()).await(trace, 1);
 * assertThat(spans.get(0).get("name").asText()).isEqualTo("GET /orders/{id}");
 * }</pre>
 *
 * Each span has {@code spanId}, {@code parentSpanId}, {@code name}, {@code kind}, {@code service}, {@code start},
 * {@code durationMs}, {@code status} and {@code attributes}. Spans are exported when they end, so {@link #await}
 * waits for them.
 */
public final class CapturedSpans {
    private final TestClient client;

    private CapturedSpans(URI service) {
        this.client = new TestClient(service);
    }

    public static CapturedSpans of(URI service) {
        return new CapturedSpans(service);
    }

    /** The trace's spans captured so far (none when the trace is unknown). */
    public List<JsonNode> trace(String traceId) {
        TestResponse r = client.get("/observe/traces/" + traceId);
        if (r.status() == 404) {
            return List.of();
        }
        if (r.status() != 200) {
            throw new AssertionError("/observe/traces answered " + r.status() + ": is chassis-observability on the"
                    + " class path and tracing on? " + r.body());
        }
        List<JsonNode> spans = new ArrayList<>();
        r.json().path("spans").forEach(spans::add);
        return spans;
    }

    /** Waits (up to 10 s) until the trace has at least {@code count} spans, and returns them. */
    public List<JsonNode> await(String traceId, int count) {
        return Eventually.within(Duration.ofSeconds(10))
                .get("trace " + traceId + " has at least " + count + " spans", () -> trace(traceId),
                        spans -> spans.size() >= count);
    }
}
