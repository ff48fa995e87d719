package dev.chassis.tests.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.TestService;

/**
 * Connection and stream limits, driven with raw sockets and raw HTTP/2 frames: a connection above
 * {@code server.max-connections} is closed at once and counted; a stream above
 * {@code server.http2.max-concurrent-streams} is refused; other clients are served meanwhile.
 */
class ConnectionLimitsTest {
    private static final String PING = "GET /limits/ping HTTP/1.1\r\nHost: x\r\n\r\n";
    private static final LimitsApi API = new LimitsApi();

    @RegisterExtension
    static final TestService service = TestService.of(() -> Chassis.service("conn-limits")
            .http(API)
            .property("server.max-connections", "3")
            .property("server.http2.max-concurrent-streams", "2"));

    @Test
    void aConnectionAboveTheLimitIsClosedAtOnceAndCountedWhileTheOthersAreServed() throws Exception {
        List<RawSocket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawSocket s = new RawSocket(service.port(), 10_000);
                open.add(s);
                assertThat(s.send(PING).readOneResponse()).startsWith("HTTP/1.1 200");
            }
            try (RawSocket extra = new RawSocket(service.port(), 10_000)) {
                RawSocket.Reply r = extra.send(PING).readUntilCloseOrTimeout();
                assertThat(r.closedByServer()).as("the fourth connection is closed at once").isTrue();
                assertThat(r.text()).isEmpty();
            }
            for (RawSocket s : open) {
                assertThat(s.send(PING).readOneResponse()).as("the open connections keep being served")
                        .startsWith("HTTP/1.1 200");
            }
            open.remove(0).close();
            String served = Eventually.within(Duration.ofSeconds(10)).get("a connection is free again", () -> {
                try (RawSocket s = new RawSocket(service.port(), 10_000)) {
                    return s.send(PING).readUntilCloseOrTimeout().text();
                } catch (Exception e) {
                    return "";
                }
            }, t -> t.startsWith("HTTP/1.1 200"));
            assertThat(served).contains("pong");
            String metrics;
            try (RawSocket s = open.get(0)) {
                open.remove(0);
                metrics = s.send("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                        .readUntilCloseOrTimeout().text();
            }
            assertThat(metrics).contains("chassis_server_connections_refused");
            // the limit in effect, and the connections open while /metrics was read (this one and one other)
            assertThat(metrics).containsPattern("chassis_server_connections_limit\\{[^}]*server_socket=\"@default\"[^}]*} 3\\b");
            assertThat(metrics).containsPattern("chassis_server_connections_open\\{[^}]*server_socket=\"@default\"[^}]*} [23]\\b");
        } finally {
            for (RawSocket s : open) {
                s.close();
            }
        }
    }

    @Test
    void unsetTheLimitIsWhatFitsInTheHeapForEachPort() throws Exception {
        // the formula of configuration.md, at this JVM's heap: half of it for the service port, an eighth for the
        // management port, each plaintext connection counted at 25 KiB plus server.max-header-size (16 KiB)
        long heap = Runtime.getRuntime().maxMemory();
        long each = 25 * 1024 + 16 * 1024;
        long service = Math.max(64, Math.min(10_000, heap / 2 / each));
        long management = Math.max(64, Math.min(10_000, heap / 8 / each));
        try (RunningService running = Chassis.service("conn-default").http(API).property("server.port", "0")
                .property("management.port", "0").start()) {
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + running.managementPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.body())
                    .containsPattern("chassis_server_connections_limit\\{[^}]*server_socket=\"@default\"[^}]*} " + service + "\\b")
                    .containsPattern("chassis_server_connections_limit\\{[^}]*server_socket=\"management\"[^}]*} " + management
                            + "\\b");
        }
    }

    @Test
    void http2AdvertisesTheStreamLimitAndRefusesAStreamAboveIt() throws Exception {
        int before = API.entered.get();
        try (H2Frames h2 = new H2Frames(service.port(), 10_000)) {
            H2Frames.Frame settings = h2.readUntil(f -> f.type() == H2Frames.SETTINGS && (f.flags() & H2Frames.ACK) == 0);
            assertThat(settings).isNotNull();
            assertThat(settings.setting(H2Frames.SETTINGS_MAX_CONCURRENT_STREAMS)).isEqualTo(2);
            h2.get(1, "/limits/hold").get(3, "/limits/hold");
            Eventually.within(Duration.ofSeconds(10)).until("both streams are in the handler",
                    () -> API.entered.get() == before + 2);
            h2.get(5, "/limits/hold");
            H2Frames.Frame refused = h2.readUntil(f -> f.type() == H2Frames.RST_STREAM || f.type() == H2Frames.GOAWAY);
            assertThat(refused).as("the third stream is refused").isNotNull();
            assertThat(refused.errorCode()).isEqualTo(H2Frames.REFUSED_STREAM);
            HttpResponse<String> other = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()
                    .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/limits/ping"))
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(other.body()).as("another client is served meanwhile").contains("pong");
        } finally {
            API.gate.release(2);
        }
        assertThat(API.entered.get()).as("the refused stream never reached a handler").isEqualTo(before + 2);
    }
}
