package dev.chassis.samples.tracecontext;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.sun.net.httpserver.HttpServer;

import dev.chassis.core.Chassis;
import dev.chassis.testing.TestResponse;
import dev.chassis.testing.TestService;

/**
 * Plays the W3C trace-context harness: sends {@code POST /test} with trace context and callbacks, and checks
 * what the callbacks receive. (The harness itself is Python from GitHub, which this machine cannot fetch.)
 */
class HarnessContractTest {
    private static final String TRACE = "12345678901234567890123456789012";

    @RegisterExtension
    static final TestService service = TestService.of(() -> Chassis.service("tracecontext").http(new HarnessEndpoint()));

    record Received(String traceparent, String tracestate, String body) {
    }

    static HttpServer harness;
    static final List<Received> received = new ArrayList<>();

    @BeforeAll
    static void startHarness() throws IOException {
        harness = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        harness.createContext("/callback", exchange -> {
            synchronized (received) {
                received.add(new Received(exchange.getRequestHeaders().getFirst("traceparent"),
                        exchange.getRequestHeaders().getFirst("tracestate"),
                        new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        harness.start();
    }

    @AfterAll
    static void stopHarness() {
        harness.stop(0);
    }

    private static List<Received> run(String... headers) {
        synchronized (received) {
            received.clear();
        }
        String url = "http://127.0.0.1:" + harness.getAddress().getPort() + "/callback";
        TestResponse r = service.client().post("/test", "[{\"url\":\"" + url + "\",\"arguments\":[1,{\"a\":2}]},"
                + "{\"url\":\"" + url + "\",\"arguments\":[]}]", headers);
        assertThat(r.status()).as(r.body()).isEqualTo(204);
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    @Test
    void callbacksContinueTheTraceEachWithItsOwnParent() {
        List<Received> calls = run("traceparent", "00-" + TRACE + "-1234567890123456-01", "tracestate", "foo=1,bar=2");
        assertThat(calls).hasSize(2);
        assertThat(calls).allSatisfy(c -> {
            assertThat(c.traceparent()).matches("00-" + TRACE + "-[0-9a-f]{16}-0[13]");
            assertThat(c.traceparent().substring(36, 52)).isNotEqualTo("1234567890123456"); // a new parent id
            assertThat(c.tracestate()).isEqualTo("foo=1,bar=2");
        });
        assertThat(calls.get(0).traceparent()).isNotEqualTo(calls.get(1).traceparent());
        assertThat(calls.get(0).body()).isEqualTo("[1,{\"a\":2}]");
    }

    @Test
    void anInvalidTraceparentIsReplacedByANewTrace() {
        List<Received> calls = run("traceparent", "00-" + TRACE.toUpperCase().replace('1', 'A') + "-1234567890123456-01",
                "tracestate", "foo=1");
        assertThat(calls).hasSize(2).allSatisfy(c -> {
            assertThat(c.traceparent()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-3]").doesNotContain(TRACE);
            assertThat(c.tracestate()).isNull();
        });
    }

    @Test
    void badRequestsAreProblems() {
        assertThat(service.client().post("/test", "{\"url\":\"x\"}").status()).isEqualTo(400);
        assertThat(service.client().post("/test", "[{\"arguments\":[]}]").status()).isEqualTo(400);
        assertThat(service.client().post("/test", "[{\"url\":\"file:///etc/passwd\"}]").status()).isEqualTo(400);
        assertThat(service.client().post("/test", "[{\"url\":\"http://exa mple/ x\"}]").status()).isEqualTo(400);
        assertThat(service.client().post("/test", "[{\"url\":\"relative/path\"}]").status()).isEqualTo(400);
    }
}
