package dev.chassis.core.internal.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import dev.chassis.core.internal.http.Problems;

/** The refusal's body, serialised once in part, is byte for byte what {@link Problems} writes for the same problem. */
class RefusalTest {
    private final Refusal refusal = new Refusal("2");

    @Test
    void theBodyIsTheProblemsBodyForTheSameInstanceAndTraceId() {
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        for (String instance : new String[] {"/work", "/api/orders/42", "/a:b@c/~x!$&'()*+,;=", "/caf%C3%A9"}) {
            assertThat(new String(refusal.body(instance, trace), StandardCharsets.UTF_8)).as(instance)
                    .isEqualTo(new String(Problems.toJson(Refusal.problem("2"), URI.create(instance), trace),
                            StandardCharsets.UTF_8));
        }
        assertThat(new String(refusal.body(null, null), StandardCharsets.UTF_8))
                .isEqualTo(new String(Problems.toJson(Refusal.problem("2"), null, null), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"https://chassis.dev/problems/overloaded\",\"title\":\"Overloaded\",\"status\":503,"
                        + "\"detail\":\"" + Refusal.DETAIL + "\"}");
    }

    @Test
    void aPathThatIsNoUriHasNoInstanceAndOneThatNeedsEscapingIsEscaped() {
        assertThat(Refusal.validUri("/has space")).isNull();
        assertThat(Refusal.validUri("/quote\"")).isNull();
        assertThat(Refusal.validUri("/bad%zz")).isNull();
        assertThat(Refusal.validUri("/caf%C3%A9")).isEqualTo("/caf%C3%A9");
        assertThat(Refusal.validUri("/plain/path-1_2.3~")).isEqualTo("/plain/path-1_2.3~");
        assertThat(new String(refusal.body("/x", "a\"b"), StandardCharsets.UTF_8)).endsWith(",\"traceId\":\"a\\\"b\"}");
    }
}
