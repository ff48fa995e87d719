package dev.chassis.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.TestClient;

/**
 * A peer's store keeps exception messages and stack traces (it serves them on its management port); a console served
 * on the service port shows none of them, a peer's no more than its own. The peer is simulated: a JDK HttpServer
 * answering {@code /observe/traces/<id>} as a Chassis store would.
 */
class ConsolePeerExceptionsTest {
    private static final String SECRET = "card 4111 1111 1111 1111 declined";
    private static final HttpServer PEER = peer();

    /** A trace to ask the peer about. */
    @Path("/ping")
    public static final class Ping {
        @Get
        public String ping() {
            return "pong";
        }
    }

    private static HttpServer peer() {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            s.createContext("/observe/traces/", exchange -> {
                String id = exchange.getRequestURI().getPath().substring("/observe/traces/".length());
                byte[] body = ("{\"traceId\":\"" + id + "\",\"spans\":[{\"spanId\":\"00f067aa0ba902b7\","
                        + "\"name\":\"POST /charge\",\"kind\":\"SERVER\",\"service\":\"payments\",\"status\":\"ERROR\","
                        + "\"attributes\":{\"exception.message\":\"" + SECRET + "\",\"http.route\":\"/charge\"},"
                        + "\"events\":[{\"name\":\"exception\",\"attributes\":{\"exception.type\":"
                        + "\"java.lang.IllegalStateException\",\"exception.message\":\"" + SECRET + "\","
                        + "\"exception.stacktrace\":\"java.lang.IllegalStateException: " + SECRET + "\\n\\tat x\"}}]}]}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            s.start();
            return s;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() {
        PEER.stop(0);
    }

    private static JsonNode joined(RunningService service) {
        TestClient client = new TestClient(service.uri());
        TestClient management = new TestClient(service.managementUri());
        assertThat(client.get("/ping").status()).isEqualTo(200);
        String id = Eventually.within(Duration.ofSeconds(10)).get("the ping's trace", () -> {
            for (JsonNode t : management.get("/observe/traces").json().path("traces")) {
                if (t.get("root").asText().equals("GET /ping")) {
                    return t.get("traceId").asText();
                }
            }
            return "";
        }, t -> !t.isEmpty());
        return management.get("/console/api/trace/" + id).json();
    }

    private static RunningService start(boolean managementPort) {
        var builder = Chassis.service("shop").http(new Ping()).property("server.port", "0")
                .property("clients.payments.url", "http://127.0.0.1:" + PEER.getAddress().getPort())
                .property("observability.console.peers", "payments");
        return (managementPort ? builder.property("management.port", "0") : builder).start();
    }

    @Test
    void aConsoleOnTheServicePortShowsNoPeersExceptionDetails() {
        RunningService service = start(false);
        try {
            JsonNode joined = joined(service);
            assertThat(joined.get("services").toString()).contains("payments");
            assertThat(joined.toString()).doesNotContain("4111").doesNotContain("exception.stacktrace")
                    .contains("java.lang.IllegalStateException").contains("\"http.route\":\"/charge\"");
        } finally {
            service.stop();
        }
    }

    @Test
    void aConsoleOnTheManagementPortShowsThem() {
        RunningService service = start(true);
        try {
            assertThat(joined(service).toString()).contains(SECRET).contains("exception.stacktrace");
        } finally {
            service.stop();
        }
    }
}
