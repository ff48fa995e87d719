package dev.chassis.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
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
 * What a peer answers cannot hold the console: an answer over 4 MiB is refused, and a peer that sends its headers and
 * then a byte now and then is cut off at the peer timeout — both are named as not reached.
 */
class ConsolePeerBoundsTest {
    private static final ServerSocket HUGE = huge();
    private static final HttpServer SLOW = slow();

    /** A trace to ask the peers about. */
    @Path("/ping")
    public static final class Ping {
        @Get
        public String ping() {
            return "pong";
        }
    }

    /**
     * Answers every request with 5 MiB and closes (a body read to the connection's end, written on a raw socket: the
     * JDK's HttpServer, sending it chunked to the JDK's client, now and then broke the stream before 4 MiB).
     */
    private static ServerSocket huge() {
        try {
            ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!s.isClosed()) {
                    try {
                        Socket c = s.accept();
                        Thread.ofVirtual().start(() -> answerHuge(c));
                    } catch (IOException e) {
                        return; // closed after the test
                    }
                }
            });
            return s;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void answerHuge(Socket c) {
        try (c) {
            BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.ISO_8859_1));
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                // the request head, not needed
            }
            OutputStream out = c.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) ' ');
            for (int i = 0; i < 80; i++) {
                out.write(chunk);
            }
        } catch (IOException e) {
            // the console hung up: what the test wants
        }
    }

    /** Answers every path with headers and then a byte every half second. */
    private static HttpServer slow() {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            s.createContext("/", exchange -> {
                try (OutputStream out = exchange.getResponseBody()) {
                    exchange.sendResponseHeaders(200, 1000);
                    for (int i = 0; i < 1000; i++) {
                        out.write('{');
                        out.flush();
                        Thread.sleep(500); // the slow peer's pace, not a wait for something
                    }
                } catch (InterruptedException | IOException e) {
                    // the console hung up: what the test wants
                }
            });
            s.start();
            return s;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() throws IOException {
        HUGE.close();
        SLOW.stop(0);
    }

    @Test
    void aHugeOrSlowPeerIsNamedNotReachedWithinThePeerTimeout() {
        RunningService service = Chassis.service("bounds").http(new Ping()).property("server.port", "0")
                .property("clients.huge.url", "http://127.0.0.1:" + HUGE.getLocalPort())
                .property("clients.slow.url", "http://127.0.0.1:" + SLOW.getAddress().getPort())
                .property("observability.console.peers", "huge, slow")
                // long enough to read 4 MiB on a loaded machine: the huge peer must be cut by the size, not the clock
                .property("observability.console.peer-timeout", "5s").start();
        try {
            TestClient client = new TestClient(service.uri());
            assertThat(client.get("/ping").status()).isEqualTo(200);
            String id = Eventually.within(Duration.ofSeconds(10)).get("the ping's trace", () -> {
                for (JsonNode t : client.get("/observe/traces").json().path("traces")) {
                    if (t.get("root").asText().equals("GET /ping")) {
                        return t.get("traceId").asText();
                    }
                }
                return "";
            }, t -> !t.isEmpty());
            JsonNode joined = client.get("/console/api/trace/" + id).json();
            assertThat(joined.get("spans")).hasSize(1);
            assertThat(joined.get("unreached")).anySatisfy(u -> {
                assertThat(u.get("service").asText()).isEqualTo("huge");
                assertThat(u.get("reason").asText()).isEqualTo("answered more than 4194304 bytes");
            });
            assertThat(joined.get("unreached")).anySatisfy(u -> {
                assertThat(u.get("service").asText()).isEqualTo("slow");
                assertThat(u.get("reason").asText()).isEqualTo("no answer within 5000 ms");
            });
        } finally {
            service.stop();
        }
    }
}
