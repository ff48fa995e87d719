package dev.chassis.tests.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.testing.TestCertificates;
import dev.chassis.testing.TestService;

/**
 * {@code server.header-timeout} on HTTP/2, driven with raw frames: a HEADERS frame without END_HEADERS followed by
 * nothing, or by CONTINUATION frames that dribble, gets its connection closed once the deadline passes, with prior
 * knowledge (h2c) and behind TLS (ALPN {@code h2}); other connections are served meanwhile, and a header block that
 * ends in time (in one frame or with CONTINUATION frames) is served however long its connection then stays idle.
 */
class Http2HeaderDeadlineTest {
    private static final int READ_TIMEOUT = 15_000;

    @RegisterExtension
    static final TestService service = TestService.of(() -> Chassis.service("h2-headers")
            .http(new LimitsApi())
            .property("server.header-timeout", "300ms"));

    private static byte[] field(String name, String value) {
        byte[] f = new byte[3 + name.length() + value.length()];
        f[0] = 0; // literal without indexing, new name
        f[1] = (byte) name.length();
        System.arraycopy(name.getBytes(), 0, f, 2, name.length());
        f[2 + name.length()] = (byte) value.length();
        System.arraycopy(value.getBytes(), 0, f, 3 + name.length(), value.length());
        return f;
    }

    private static String pong(H2Frames h2, int stream) throws IOException {
        H2Frames.Frame data = h2.readUntil(f -> f.type() == H2Frames.DATA && f.stream() == stream);
        return data == null ? null : data.text();
    }

    /**
     * Sends a HEADERS frame without END_HEADERS, once the server's SETTINGS are in and acknowledged: from then on only
     * CONTINUATION frames of the stream may come, so the acknowledgement must not come after it (a protocol error).
     */
    private static void startStalledBlock(H2Frames h2) throws IOException {
        assertThat(h2.readUntil(f -> f.type() == H2Frames.SETTINGS && (f.flags() & H2Frames.ACK) == 0)).isNotNull();
        h2.frame(H2Frames.HEADERS, H2Frames.END_STREAM, 1, H2Frames.headerBlock("GET", "/limits/ping"));
    }

    /** Reads whatever the server sends until it closes the connection (true) or stays silent for the read timeout. */
    private static boolean closedByServer(H2Frames h2) throws IOException {
        h2.readUntil(f -> false);
        return h2.closedByServer();
    }

    @Test
    void headersWithoutEndHeadersGetTheConnectionClosedWhileOthersAreServed() throws Exception {
        try (H2Frames good = new H2Frames(service.port(), READ_TIMEOUT); H2Frames slow = new H2Frames(service.port(), READ_TIMEOUT)) {
            good.get(1, "/limits/ping");
            assertThat(pong(good, 1)).contains("pong");
            startStalledBlock(slow);
            try (H2Frames other = new H2Frames(service.port(), READ_TIMEOUT)) {
                other.get(1, "/limits/ping");
                assertThat(pong(other, 1)).as("another connection is served meanwhile").contains("pong");
            }
            assertThat(closedByServer(slow)).as("the connection whose header block never ends is closed").isTrue();
            good.get(3, "/limits/ping");
            assertThat(pong(good, 3)).as("a connection idle for longer than the deadline, between requests, serves on")
                    .contains("pong");
        }
    }

    /**
     * Sends a CONTINUATION frame of {@code stream} every 50 ms (the attack's pace) until the server closes the
     * connection (true) or stays silent for the read timeout.
     */
    private static boolean closedWhileDribbling(H2Frames slow, int stream) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Thread dribbler = Thread.ofVirtual().start(() -> {
            try {
                while (!stop.get()) {
                    slow.frame(H2Frames.CONTINUATION, 0, stream, field("x-a", "b"));
                    Thread.sleep(50);
                }
            } catch (Exception closed) {
                // the server closed the connection: what we wait for
            }
        });
        try {
            return closedByServer(slow);
        } finally {
            stop.set(true);
            dribbler.join(Duration.ofSeconds(10));
        }
    }

    @Test
    void continuationFramesThatDribbleDoNotExtendTheDeadline() throws Exception {
        try (H2Frames slow = new H2Frames(service.port(), READ_TIMEOUT)) {
            startStalledBlock(slow);
            assertThat(closedWhileDribbling(slow, 1)).as("a header block that keeps dribbling is cut off").isTrue();
        }
    }

    /** The same after {@code Upgrade: h2c}: the upgrade once left the connection's header blocks unwatched. */
    @Test
    void continuationFramesThatDribbleOnAnUpgradedConnectionAreCutOffToo() throws Exception {
        try (H2Frames slow = H2Frames.upgraded(service.port(), READ_TIMEOUT, "/limits/ping")) {
            assertThat(slow.readUntil(f -> f.type() == H2Frames.SETTINGS && (f.flags() & H2Frames.ACK) == 0)).isNotNull();
            slow.frame(H2Frames.HEADERS, H2Frames.END_STREAM, 3, H2Frames.headerBlock("GET", "/limits/ping"));
            assertThat(closedWhileDribbling(slow, 3)).as("a header block that keeps dribbling is cut off").isTrue();
        }
        try (H2Frames upgraded = H2Frames.upgraded(service.port(), READ_TIMEOUT, "/limits/ping")) {
            assertThat(pong(upgraded, 1)).as("an upgraded connection is served as before").contains("pong");
            upgraded.get(3, "/limits/ping");
            assertThat(pong(upgraded, 3)).contains("pong");
        }
    }

    @Test
    void aHeaderBlockEndedByContinuationInTimeIsServed() throws Exception {
        byte[] block = H2Frames.headerBlock("GET", "/limits/ping", "x-a", "b");
        try (H2Frames h2 = new H2Frames(service.port(), READ_TIMEOUT)) {
            h2.frame(H2Frames.HEADERS, H2Frames.END_STREAM, 1, Arrays.copyOfRange(block, 0, 5));
            h2.frame(H2Frames.CONTINUATION, 0, 1, Arrays.copyOfRange(block, 5, 9));
            h2.frame(H2Frames.CONTINUATION, H2Frames.END_HEADERS, 1, Arrays.copyOfRange(block, 9, block.length));
            assertThat(pong(h2, 1)).contains("pong");
        }
    }

    @Test
    void behindTlsWithAlpnH2AStalledHeaderBlockIsCutOffToo() throws Exception {
        TestCertificates ca = TestCertificates.authority("h2 header deadline CA");
        Path dir = Files.createTempDirectory("chassis-h2-headers-");
        TestCertificates.Issued issued = ca.issue("secure").dns("localhost").ip("127.0.0.1").create();
        issued.writePem(dir.resolve("server.pem"), dir.resolve("server.key"));
        try (RunningService secure = Chassis.service("h2-headers-tls").http(new LimitsApi())
                .property("server.port", "0")
                .property("server.header-timeout", "300ms")
                .property("server.tls.bundle", "server")
                .property("tls.bundles.server.certificate", dir.resolve("server.pem").toString())
                .property("tls.bundles.server.private-key", dir.resolve("server.key").toString())
                .start()) {
            SSLSocket socket = (SSLSocket) ca.clientContext().getSocketFactory().createSocket("localhost", secure.port());
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            assertThat(socket.getApplicationProtocol()).isEqualTo("h2");
            try (H2Frames slow = new H2Frames(socket, READ_TIMEOUT)) {
                startStalledBlock(slow);
                HttpResponse<String> other = HttpClient.newBuilder().sslContext(ca.clientContext())
                        .version(HttpClient.Version.HTTP_2).build()
                        .send(HttpRequest.newBuilder(URI.create("https://localhost:" + secure.port() + "/limits/ping"))
                                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(other.version()).isEqualTo(HttpClient.Version.HTTP_2);
                assertThat(other.body()).as("another client is served meanwhile").contains("pong");
                assertThat(closedByServer(slow)).as("the TLS connection whose header block never ends is closed").isTrue();
            }
        }
    }
}
