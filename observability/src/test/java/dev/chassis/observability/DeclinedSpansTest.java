package dev.chassis.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chassis.core.Chassis;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.TestResponse;
import dev.chassis.testing.TestService;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;

/**
 * With no exporter, a server span the trace store will not keep (past its traces a second; one here) is carried by
 * its ids alone: the handler, its logs and its calls see the same ids and the sampled flag, nothing is recorded for
 * it — and a request that fails is recorded at its end under those ids, so the store keeps every failure. With an
 * exporter, every span is recorded as before.
 */
class DeclinedSpansTest {
    static final String PARENT = "00f067aa0ba902b7";

    /** What the handler saw of its server span. */
    public record Seen(String traceId, String spanId, boolean sampled, boolean recording) {
        static Seen of(Span span) {
            SpanContext c = span.getSpanContext();
            return new Seen(c.getTraceId(), c.getSpanId(), c.isSampled(), span.isRecording());
        }
    }

    @Path("/")
    public static final class Routes {
        static final AtomicReference<Seen> FAILED = new AtomicReference<>();

        @Get("/seen")
        public Seen seen() {
            return Seen.of(Span.current());
        }

        @Get("/fail")
        public Seen fail() {
            FAILED.set(Seen.of(Span.current()));
            throw new IllegalStateException("broken");
        }
    }

    @RegisterExtension
    static final TestService storeOnly = TestService.of(() -> Chassis.service("declining")
            .property("observability.tracing.store.max-traces-per-second", "1")
            .http(new Routes()));

    @RegisterExtension
    static final TestService exporting = TestService.of(() -> Chassis.service("exporting")
            .property("observability.tracing.store.max-traces-per-second", "1")
            .property("observability.tracing.exporter", "otlp")
            .property("observability.otlp.endpoint", "http://127.0.0.1:9") // nothing listens: exports fail, unseen
            .property("observability.otlp.timeout", "1s")
            .http(new Routes()));

    private static String traceparent(String traceId) {
        return "00-" + traceId + "-" + PARENT + "-01";
    }

    /** A new trace id for each request, so that no earlier request's admission covers it. */
    private static String newTrace(int i) {
        return String.format("%016x%016x", System.nanoTime(), 0x1000L + i);
    }

    @Test
    void pastTheBudgetASpanIsCarriedByItsIdsAloneAndNotStored() {
        // the budget (one trace a second) is spent by one of these; a later one in the same second is declined
        Seen declined = Eventually.within(Duration.ofSeconds(20)).get("a request past the store's budget", () -> {
            Seen s = storeOnly.client().get("/seen", "traceparent", traceparent(newTrace(0))).as(Seen.class);
            return s.recording() ? null : s;
        }, s -> s != null);
        assertThat(declined.traceId()).matches("[0-9a-f]{32}");
        assertThat(declined.spanId()).matches("[0-9a-f]{16}").isNotEqualTo(PARENT).isNotEqualTo("0".repeat(16));
        assertThat(declined.sampled()).as("the caller's decision is passed on, not the store's").isTrue();
        TestResponse stored = storeOnly.client().get("/observe/traces/" + declined.traceId());
        assertThat(stored.status() == 404 || stored.json().get("spans").isEmpty()).as(stored.body()).isTrue();
    }

    @Test
    void aNewTraceIsDeclinedWithFreshIds() {
        Seen declined = Eventually.within(Duration.ofSeconds(20)).get("a new trace past the store's budget", () -> {
            Seen s = storeOnly.client().get("/seen").as(Seen.class);
            return s.recording() ? null : s;
        }, s -> s != null);
        assertThat(declined.traceId()).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32));
        assertThat(declined.spanId()).matches("[0-9a-f]{16}");
        assertThat(declined.sampled()).isTrue();
    }

    @Test
    void aFailedRequestPastTheBudgetIsStoredUnderTheIdsItCarried() {
        Seen failed = Eventually.within(Duration.ofSeconds(20)).get("a failed request past the store's budget", () -> {
            TestResponse r = storeOnly.client().get("/fail", "traceparent", traceparent(newTrace(1)));
            assertThat(r.status()).isEqualTo(500);
            Seen s = Routes.FAILED.get();
            assertThat(r.json().get("traceId").asText()).as("the problem names the trace").isEqualTo(s.traceId());
            return s.recording() ? null : s;
        }, s -> s != null);
        JsonNode spans = Eventually.within(Duration.ofSeconds(10)).get("the failed span stored",
                () -> storeOnly.client().get("/observe/traces/" + failed.traceId()),
                r -> r.status() == 200 && !r.json().get("spans").isEmpty()).json().get("spans");
        assertThat(spans).hasSize(1);
        JsonNode span = spans.get(0);
        assertThat(span.get("spanId").asText()).as("the id the handler, its logs and its calls saw")
                .isEqualTo(failed.spanId());
        assertThat(span.get("parentSpanId").asText()).isEqualTo(PARENT);
        assertThat(span.get("kind").asText()).isEqualTo("SERVER");
        assertThat(span.get("name").asText()).isEqualTo("GET /fail");
        assertThat(span.get("status").asText()).isEqualTo("ERROR");
        assertThat(span.at("/attributes/http.response.status_code").asLong()).isEqualTo(500);
        assertThat(span.at("/attributes/http.request.method").asText()).isEqualTo("GET");
        assertThat(span.at("/attributes/error.type").asText()).isEqualTo("500");
        assertThat(span.get("durationMs").asDouble()).as("timed from the request's start").isPositive();
    }

    @Test
    void withAnExporterEverySpanIsRecorded() {
        for (int i = 0; i < 20; i++) {
            Seen s = exporting.client().get("/seen", "traceparent", traceparent(newTrace(100 + i))).as(Seen.class);
            assertThat(s.recording()).as("request %d: the exporter reads every span", i).isTrue();
        }
    }
}
