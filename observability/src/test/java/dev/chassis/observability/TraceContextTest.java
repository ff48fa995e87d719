package dev.chassis.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chassis.core.Chassis;
import dev.chassis.core.http.Client;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.testing.TestResponse;
import dev.chassis.testing.TestService;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.trace.ReadableSpan;

/**
 * W3C Trace Context and Baggage, as a receiver and as a caller: service "front" continues (or refuses) the
 * context a request carries and calls service "back" twice; "back" reports the headers it received.
 */
class TraceContextTest {
    static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String PARENT = "00f067aa0ba902b7";
    static final String VALID = "00-" + TRACE + "-" + PARENT + "-01";

    /** What a service saw: the headers, and its own current span and baggage. */
    public record Seen(List<String> traceparent, List<String> tracestate, String traceId, String spanId,
                       String parentSpanId, String traceState, Map<String, String> baggage, List<Seen> downstream) {
    }

    @Client("back")
    @Path("/seen")
    public interface BackApi {
        @Get
        Seen seen();
    }

    @Path("/seen")
    public static final class Back {
        @Get
        public Seen seen(ServerRequest req) {
            return observe(req, List.of());
        }
    }

    @Path("/front")
    public static final class Front {
        private final BackApi back;

        Front(BackApi back) {
            this.back = back;
        }

        @Get
        public Seen front(ServerRequest req) {
            List<Seen> downstream = new ArrayList<>();
            downstream.add(back.seen());
            downstream.add(back.seen());
            return observe(req, downstream);
        }
    }

    static Seen observe(ServerRequest req, List<Seen> downstream) {
        SpanContext span = Span.current().getSpanContext();
        Map<String, String> baggage = new TreeMap<>();
        Baggage.current().forEach((k, v) -> baggage.put(k, v.getValue()));
        StringBuilder state = new StringBuilder();
        span.getTraceState().forEach((k, v) -> state.append(state.isEmpty() ? "" : ",").append(k).append('=').append(v));
        String parent = ((ReadableSpan) Span.current()).getParentSpanContext().getSpanId();
        return new Seen(req.headers().all(HeaderNames.create("traceparent"), List::of),
                req.headers().all(HeaderNames.create("tracestate"), List::of), span.getTraceId(), span.getSpanId(),
                parent, state.toString(), baggage, downstream);
    }

    @RegisterExtension
    @Order(1)
    static final TestService back = TestService.of(() -> Chassis.service("back").http(new Back()));

    @RegisterExtension
    @Order(2) // starts after back, whose address it needs
    static final TestService front = TestService.of(() -> {
        var builder = Chassis.service("front").property("clients.back.url", back.uri().toString());
        return builder.http(new Front(builder.client(BackApi.class)));
    });

    private static Seen call(String... headers) {
        TestResponse r = front.client().get("/front", headers);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.as(Seen.class);
    }

    @Test
    void aValidTraceparentIsContinuedAndEveryOutgoingCallHasItsOwnParentId() {
        Seen seen = call("traceparent", VALID);
        assertThat(seen.traceId()).isEqualTo(TRACE);
        assertThat(seen.parentSpanId()).isEqualTo(PARENT);
        assertThat(seen.downstream()).hasSize(2).allSatisfy(d -> {
            assertThat(d.traceId()).isEqualTo(TRACE);
            assertThat(d.traceparent()).hasSize(1);
            assertThat(d.traceparent().get(0)).startsWith("00-" + TRACE + "-").endsWith("-01");
        });
        String first = parentId(seen.downstream().get(0));
        String second = parentId(seen.downstream().get(1));
        assertThat(first).isNotEqualTo(second).isNotEqualTo(seen.spanId()).isNotEqualTo(PARENT);
        // each call's parent id is the client span of that call, itself a child of front's server span
        assertThat(seen.downstream().get(0).parentSpanId()).isEqualTo(first);
        JsonNode trace = front.client().get("/observe/traces/" + TRACE).json();
        assertThat(trace.get("spans")).anySatisfy(s -> {
            assertThat(s.get("spanId").asText()).isEqualTo(first);
            assertThat(s.get("kind").asText()).isEqualTo("CLIENT");
            assertThat(s.get("parentSpanId").asText()).isEqualTo(seen.spanId());
        });
    }

    private static String parentId(Seen downstream) {
        return downstream.traceparent().get(0).substring(36, 52);
    }

    @Test
    void anInvalidTraceparentStartsANewTrace() {
        for (String bad : List.of(
                "00-" + TRACE.toUpperCase() + "-" + PARENT + "-01", // upper case
                "ff-" + TRACE + "-" + PARENT + "-01", // version ff is invalid
                "00-" + "0".repeat(32) + "-" + PARENT + "-01", // all-zero trace id
                "00-" + TRACE + "-" + "0".repeat(16) + "-01", // all-zero parent id
                "00-" + TRACE + "-" + PARENT + "-01-extra", // version 00 has no extra fields
                "00-" + TRACE + "-" + PARENT, // too short
                "garbage")) {
            Seen seen = call("traceparent", bad, "tracestate", "congo=t61rcWkgMzE");
            assertThat(seen.traceId()).as(bad).isNotEqualTo(TRACE).isNotEqualTo("0".repeat(32)).matches("[0-9a-f]{32}");
            assertThat(seen.traceState()).as("tracestate goes with an invalid traceparent: " + bad).isEmpty();
            assertThat(seen.downstream().get(0).traceId()).isEqualTo(seen.traceId());
        }
    }

    @Test
    void aDuplicatedTraceparentStartsANewTrace() {
        Seen seen = call("traceparent", VALID, "traceparent", "00-" + TRACE + "-b7ad6b7169203331-01");
        assertThat(seen.traceparent()).hasSize(2);
        assertThat(seen.traceId()).isNotEqualTo(TRACE);
    }

    @Test
    void aFutureVersionIsAccepted() {
        Seen seen = call("traceparent", "cc-" + TRACE + "-" + PARENT + "-01-what-the-future-will-be-like");
        assertThat(seen.traceId()).isEqualTo(TRACE);
        assertThat(seen.parentSpanId()).isEqualTo(PARENT);
        // and the caller speaks the version it knows
        assertThat(seen.downstream().get(0).traceparent().get(0)).startsWith("00-" + TRACE + "-");
    }

    @Test
    void repeatedTracestateHeadersAreJoinedAndPassedOn() {
        Seen seen = call("traceparent", VALID, "tracestate", "rojo=00f067aa0ba902b7", "tracestate", "congo=t61rcWkgMzE");
        assertThat(seen.traceState()).isEqualTo("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
        assertThat(String.join(",", seen.downstream().get(0).tracestate()))
                .isEqualTo("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    }

    @Test
    void moreThan32MembersOrAnInvalidMemberDropsTracestate() {
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 33; i++) {
            members.add("k" + i + "=v" + i);
        }
        assertThat(call("traceparent", VALID, "tracestate", String.join(",", members)).traceState()).isEmpty();
        assertThat(call("traceparent", VALID, "tracestate", String.join(",", members.subList(0, 32))).traceState())
                .startsWith("k0=v0,");
        for (String bad : List.of("Upper=1", "a=1,b", "a=b=c", "a=x,b=", "a=x,@v=y", "a=x,_b=y", "a=x,b.c=y",
                "a=x,b" + "c".repeat(256) + "=y")) {
            Seen seen = call("traceparent", VALID, "tracestate", bad);
            assertThat(seen.traceId()).as(bad).isEqualTo(TRACE); // the trace continues...
            assertThat(seen.traceState()).as(bad).isEmpty(); // ...without the invalid list
            assertThat(seen.downstream().get(0).tracestate()).as(bad).isEmpty();
        }
        assertThat(call("traceparent", VALID, "tracestate", "tenant@vendor=x, ,b=2").traceState())
                .isEqualTo("tenant@vendor=x,b=2");
    }

    @Test
    void level2KeysWithAnAtSignOrALeadingDigitAreContinuedAndPassedOn() {
        String longest = "t" + "@x".repeat(127) + "z"; // 256 characters, '@' all along
        for (String list : List.of("tenant@system=1,b=2", "1tenant@sys=x", "foo@=1,bar=2", "foo@@bar=1,bar=2",
                "a@b@c=1", "0=zero", "t" + "x".repeat(240) + "@vendor=1", longest + "=v,rojo=00f067aa0ba902b7")) {
            Seen seen = call("traceparent", VALID, "tracestate", list);
            assertThat(seen.traceId()).as(list).isEqualTo(TRACE);
            assertThat(seen.traceState()).as(list).isEqualTo(list);
            assertThat(seen.downstream().get(0).tracestate()).as(list).containsExactly(list);
            assertThat(seen.downstream().get(1).tracestate()).as(list).containsExactly(list);
        }
    }

    @Test
    void aDuplicatedKeyKeepsTheListWithItsFirstMember() {
        for (List<String> headers : List.of(List.of("foo=1,foo=1"), List.of("foo=1,foo=2"), List.of("foo=1", "foo=1"),
                List.of("foo=1", "foo=2"))) {
            List<String> request = new ArrayList<>(List.of("traceparent", VALID));
            headers.forEach(h -> request.addAll(List.of("tracestate", h)));
            Seen seen = call(request.toArray(String[]::new));
            assertThat(seen.traceState()).as(headers.toString()).isEqualTo("foo=1");
            assertThat(seen.downstream().get(0).tracestate()).as(headers.toString()).containsExactly("foo=1");
        }
        assertThat(call("traceparent", VALID, "tracestate", "a@b=1,rojo=2,a@b=3,1x=4").traceState())
                .isEqualTo("a@b=1,rojo=2,1x=4");
    }

    @Test
    void aKeyLongerThan256CharactersDropsTheList() {
        String tooLong = "t" + "@x".repeat(127) + "zz"; // 257 characters
        Seen seen = call("traceparent", VALID, "tracestate", tooLong + "=1,b=2");
        assertThat(seen.traceId()).isEqualTo(TRACE);
        assertThat(seen.traceState()).isEmpty();
        assertThat(seen.downstream().get(0).tracestate()).isEmpty();
    }

    @Test
    void baggageCrossesHops() {
        Seen seen = call("traceparent", VALID, "baggage", "tenant=acme,plan=gold", "baggage", "region=eu");
        assertThat(seen.baggage()).containsEntry("tenant", "acme").containsEntry("plan", "gold")
                .containsEntry("region", "eu");
        assertThat(seen.downstream().get(1).baggage()).isEqualTo(seen.baggage());
    }

    @Test
    void withoutATraceparentEachRequestStartsItsOwnTrace() {
        Seen one = call();
        Seen two = call();
        assertThat(one.traceId()).isNotEqualTo(two.traceId());
        assertThat(one.parentSpanId()).isEqualTo("0000000000000000");
        assertThat(one.downstream().get(0).traceId()).isEqualTo(one.traceId());
    }
}
