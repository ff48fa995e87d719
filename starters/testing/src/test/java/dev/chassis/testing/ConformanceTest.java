package dev.chassis.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.http.Body;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.Post;

/** The conformance kit passes a Chassis service and fails, naming each violation, a service that ignores the standard. */
class ConformanceTest {
    record Note(String text) {
    }

    @Path("/notes")
    public static final class Notes {
        @Post
        public Note add(@Body Note note) {
            return note;
        }
    }

    @Test
    void aChassisServiceConforms() {
        try (RunningService s = Chassis.service("notes").property("server.port", "0").http(new Notes()).start()) {
            // core alone: no /metrics (chassis-observability) and no gRPC service
            Conformance.of(s.uri()).badInput("POST", "/notes").withoutMetrics().withoutGrpc().check();
        }
    }

    @Test
    void aServiceWithAManagementPortConformsOnBothPorts() {
        try (RunningService s = Chassis.service("notes").property("server.port", "0").property("management.port", "0")
                .http(new Notes()).start()) {
            Conformance.of(s).badInput("POST", "/notes").withoutMetrics().withoutGrpc().check();
            // given the service port only, the health endpoints are missing
            assertThatThrownBy(() -> Conformance.of(s.uri()).withoutMetrics().withoutGrpc().check())
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("/health/ready answered 404");
        }
    }

    @Test
    void aServicePortThatAlsoServesHealthIsAViolationWhenThereIsAManagementPort() {
        try (RunningService plain = Chassis.service("plain").property("server.port", "0").http(new Notes()).start();
             RunningService managed = Chassis.service("managed").property("server.port", "0")
                     .property("management.port", "0").start()) {
            assertThatThrownBy(() -> Conformance.of(plain.uri()).management(managed.managementUri()).withoutMetrics()
                    .withoutGrpc().check())
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("GET /health/ready on the service port (management is on "
                            + managed.managementUri() + ") answered 200; expected 404");
        }
    }

    @Test
    void aServiceThatIgnoresTheStandardFailsWithEveryViolation() throws Exception {
        // a plain JDK server that answers 200 "ok" to everything: what a service without Chassis might do
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, ok.length);
            exchange.getResponseBody().write(ok);
            exchange.close();
        });
        server.start();
        try {
            URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
            assertThatThrownBy(() -> Conformance.of(uri).badInput("POST", "/notes").check())
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("/health/ready: the body is not JSON")
                    .hasMessageContaining("/info: the body is not JSON")
                    .hasMessageContaining("GET of an unknown route answered 200; expected 404")
                    .hasMessageContaining("not application/problem+json")
                    .hasMessageContaining("DELETE /health/live answered 200; expected 405")
                    .hasMessageContaining("POST /notes with malformed JSON answered 200; expected 400")
                    .hasMessageContaining("/metrics: Content-Type is 'text/html'")
                    .hasMessageContaining("gRPC health");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void badInputSendsTheGivenHeadersWithTheMalformedBody() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/notes", exchange -> {
            seen.add(exchange.getRequestHeaders().getFirst("Authorization") + " "
                    + exchange.getRequestHeaders().getFirst("Content-Type"));
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
        });
        server.start();
        try {
            URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
            assertThatThrownBy(() -> Conformance.of(uri).badInput("POST", "/notes", "Authorization", "Bearer t").check())
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("POST /notes with malformed JSON answered 401; expected 400");
            assertThat(seen).containsExactly("Bearer t application/json");
            assertThatThrownBy(() -> Conformance.of(uri).badInput("POST", "/notes", "Authorization"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("headers come in name-value pairs, but an odd number (1) was given");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void theMetricsCheckKnowsTheTextFormat() {
        String valid = String.join("\n",
                "# HELP http_server_request_duration_seconds Duration of HTTP server requests.",
                "# TYPE http_server_request_duration_seconds histogram",
                "http_server_request_duration_seconds_bucket{http_route=\"/a\",le=\"+Inf\"} 3",
                "http_server_request_duration_seconds_sum{http_route=\"/a\"} 1.5e-3",
                "http_server_request_duration_seconds_count{http_route=\"/a\",} 3 1700000000000",
                "jvm_memory_used_bytes{area=\"a \\\"quoted\\\" value\"}\t12.5",
                "up NaN",
                "weird_gauge -Inf",
                "# a free comment",
                "");
        assertThat(Conformance.metricsProblems(valid)).isEmpty();
        assertThat(Conformance.metricsProblems("x .")).anySatisfy(p -> assertThat(p).contains("not a Prometheus sample"));
        assertThat(Conformance.metricsProblems("x{a=\"1\"b=\"2\"} 1")).isNotEmpty();
        assertThat(Conformance.metricsProblems("# TYPE x bogus\nx 1")).singleElement().asString()
                .contains("malformed HELP or TYPE");
        assertThat(Conformance.metricsProblems("x +-")).isNotEmpty();
        assertThat(Conformance.metricsProblems("# only comments")).containsExactly("/metrics has no sample");
    }
}
