package dev.chassis.tests.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.helidon.common.buffers.DataReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Chassis;
import dev.chassis.core.http.Body;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.Post;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.TestClient;
import dev.chassis.tests.LogCapture;
import dev.chassis.testing.TestService;
import dev.chassis.tests.grpc.EchoService;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;

/**
 * A client that closes its connection in the middle of a request — its request line, its headers or its body, over
 * HTTP/1.1 or HTTP/2 — is not the server's failure: nothing is logged at INFO or above (Helidon 4.5.0 logs a
 * WARNING with two stack traces for the headers, and the body came out of the handler as an unhandled exception
 * logged at ERROR and counted as a 500), a body cut short counts as a 400, a gRPC call is cancelled, and the server
 * keeps serving. Raw bytes over real sockets; the clients that hang up are these sockets, closed. A downstream answer cut short is simulated
 * by a handler that throws the exception Helidon's client would.
 */
class ClientGoneTest {
    private static final String ORDERS = "/sink/orders";
    private static final String ECHO = "/gone/length";
    private static final String KEPT = "/gone/kept";
    private static final String ORDER_HEAD = "POST /sink/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
    private static final Logger ROOT = Logger.getLogger("");
    private static final Logger HANG_UPS = Logger.getLogger("dev.chassis.core.internal.transport.HangUps");
    private final LogCapture capture = new LogCapture();
    private final List<LogRecord> records = capture.records();
    private Level hangUpsLevel;

    @RegisterExtension
    static final TestService service = TestService.of(() -> Chassis.service("gone").http(new KitchenSinkApi())
            .http(new DownstreamApi()).http(new LimitsApi()).grpc(new EchoService())
            .property("health.max-watchers", "2"));

    @BeforeEach
    void capture() {
        hangUpsLevel = HANG_UPS.getLevel();
        HANG_UPS.setLevel(Level.FINE); // the filter's own line, to see that it, and not chance, kept the log quiet
        ROOT.addHandler(capture);
    }

    @AfterEach
    void release() {
        ROOT.removeHandler(capture);
        HANG_UPS.setLevel(hangUpsLevel);
    }

    /**
     * Sends the bytes and ends the connection's sending side: the server reads the end of the stream as it would a
     * client that hung up. Then returns once the server has closed the connection — it has dealt with the hang-up,
     * and logged whatever it logs for it (Helidon logs before it closes).
     */
    private static void sendAndHangUp(String bytes) throws Exception {
        try (Socket s = new Socket("127.0.0.1", service.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(bytes.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            while (in.read() != -1) {
                // whatever the server answers to nobody; a read timeout fails the test
            }
        }
    }

    /** The same over HTTP/2: ends the sending side, then reads until the server has closed the connection. */
    private static void hangUp(H2Frames h2) throws Exception {
        h2.halfClose();
        h2.readUntil(f -> false);
        assertThat(h2.closedByServer()).as("the server closed the connection it read the end of").isTrue();
    }

    /**
     * What Helidon and Chassis logged at INFO or above (not late lines of other test classes' libraries), as
     * "logger level message (exception)" lines.
     */
    private List<String> loud() {
        return records.stream().filter(r -> r.getLevel().intValue() >= Level.INFO.intValue())
                .filter(r -> r.getLoggerName() != null
                        && (r.getLoggerName().startsWith("io.helidon.") || r.getLoggerName().startsWith("dev.chassis.")))
                .map(r -> r.getLoggerName() + " " + r.getLevel() + " " + r.getMessage() + " (" + r.getThrown() + ")")
                .toList();
    }

    /** Scrapes /metrics until the route's 400s grew by {@code more} (the series is recorded as the answer ends). */
    private static String awaitFourHundreds(String before, int more) {
        return awaitFourHundreds(service.client(), ORDERS, before, more);
    }

    private static String awaitFourHundreds(TestClient client, String route, String before, int more) {
        return Eventually.within(Duration.ofSeconds(10)).get(route + "'s 400s grew by " + more,
                () -> client.get("/metrics").body(),
                after -> count(after, route, "400") >= count(before, route, "400") + more);
    }

    private long filtered() {
        return records.stream().filter(r -> r.getLoggerName().equals(HANG_UPS.getName())).count();
    }

    private static long count(String metrics, String status) {
        return count(metrics, ORDERS, status);
    }

    private static long count(String metrics, String route, String status) {
        Matcher m = Pattern.compile("http_server_request_duration_seconds_count\\{[^}]*http_response_status_code=\""
                + status + "\"[^}]*http_route=\"" + Pattern.quote(route) + "\"[^}]*} (\\d+)").matcher(metrics);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    void hangingUpInTheMiddleOfTheHeadersLogsNothingAndTheServerGoesOn() throws Exception {
        for (int i = 0; i < 20; i++) {
            sendAndHangUp("GET /sink/items/known HTTP/1.1\r\nHost: x\r\nX-Half: ab");
        }
        assertThat(filtered()).as("each hang-up reached the filter").isEqualTo(20);
        assertThat(loud()).as("no record at INFO or above").isEmpty();
        assertThat(service.client().get("/sink/items/known").status()).isEqualTo(200);
    }

    @Test
    void hangingUpInTheRequestLineLogsNothing() throws Exception {
        sendAndHangUp("GET /sink/items/kn");
        assertThat(loud()).isEmpty();
        assertThat(service.client().get("/sink/items/known").status()).isEqualTo(200);
    }

    @Test
    void aBodyCutShortIsA400NotAnErrorAndIsNotLogged() throws Exception {
        String before = service.client().get("/metrics").body();
        sendAndHangUp(ORDER_HEAD + "Content-Length: 1000\r\n\r\n{\"id\":\"o1\",");
        sendAndHangUp(ORDER_HEAD + "Transfer-Encoding: chunked\r\n\r\n40\r\n{\"id\":\"o1\",");
        String after = awaitFourHundreds(before, 2);
        assertThat(count(after, "400") - count(before, "400")).as("both counted as 400").isEqualTo(2);
        assertThat(count(after, "500")).as("not as 500").isEqualTo(count(before, "500"));
        assertThat(loud()).as("no record at INFO or above").isEmpty();
    }

    @Test
    void anUnreadBodyDoesNotTurnADownstreamFailureIntoA400() {
        // the handler ignores its body and fails as a call whose downstream answer was cut short would (simulated by
        // throwing Helidon's exception for it): that is the service's failure, a 500 logged at ERROR
        assertThat(service.client().post("/gone/downstream", "{\"a\":1}").status()).isEqualTo(500);
        assertThat(loud()).anySatisfy(line -> assertThat(line).contains("SEVERE").contains("POST /gone/downstream"));
    }

    @Test
    void aHandlerThatFailsStillLogsAnError() throws Exception {
        service.client().get("/sink/boom");
        assertThat(loud()).as("the filter hides hang-ups only")
                .anySatisfy(line -> assertThat(line).contains("SEVERE").contains("GET /sink/boom"));
    }

    /** Over HTTP/2 nothing is logged either. */
    @Test
    void hangingUpInTheMiddleOfAnHttp2HeaderBlockLogsNothing() throws Exception {
        try (H2Frames h2 = new H2Frames(service.port(), 10_000)) {
            h2.frame(H2Frames.HEADERS, 0, 1, H2Frames.headerBlock("GET", "/sink/items/known")); // no END_HEADERS
            hangUp(h2);
        }
        assertThat(loud()).as("no record at INFO or above").isEmpty();
        assertThat(service.client().get("/sink/items/known").status()).isEqualTo(200);
    }

    /**
     * An HTTP/2 body cut short ends its request at once, as a 400, when the connection ends: Helidon 4.5.0 does not wake
     * the stream's reader, and without Chassis' wake-up the handler waited for {@code server.body-timeout} (20 s here,
     * twice the time the test waits for the 400) and was then counted as a 500.
     */
    @Test
    void anHttp2BodyCutShortEndsItsRequestAtOnceAsA400() throws Exception {
        String before = service.client().get("/metrics").body();
        hangUpInTheMiddleOfABody(service.port(), service.client());
        awaitFourHundreds(service.client(), ECHO, before, 1);
        assertThat(DownstreamApi.RECEIVED).as("the handler never ran with part of the body").isEmpty();
        assertThat(loud()).as("no record at INFO or above").isEmpty();
        assertThat(service.client().get("/sink/items/known").status()).isEqualTo(200);
    }

    /** With no deadline at all, the end of the connection is the only thing that frees the handler's thread. */
    @Test
    void anHttp2BodyCutShortIsFreedWithoutAnyDeadline() throws Exception {
        try (var unlimited = Chassis.service("unlimited").http(new DownstreamApi()).property("server.port", "0")
                .property("server.request-timeout", "0s").property("server.body-timeout", "0s").start()) {
            TestClient client = new TestClient(unlimited.uri());
            String before = client.get("/metrics").body();
            hangUpInTheMiddleOfABody(unlimited.port(), client);
            awaitFourHundreds(client, ECHO, before, 1);
            assertThat(DownstreamApi.RECEIVED).as("the handler never ran with part of the body").isEmpty();
            assertThat(client.get("/metrics").status()).isEqualTo(200);
        }
    }

    /** The same on a connection upgraded from HTTP/1.1 ({@code Upgrade: h2c}), as Java's HttpClient does. */
    @Test
    void anHttp2BodyCutShortOnAnUpgradedConnectionEndsItsRequestAtOnce() throws Exception {
        String before = service.client().get("/metrics").body();
        try (H2Frames h2 = H2Frames.upgraded(service.port(), 10_000, "/limits/ping")) {
            hangUpInTheMiddleOfABody(h2, 3, service.client());
        }
        awaitFourHundreds(service.client(), ECHO, before, 1);
        assertThat(DownstreamApi.RECEIVED).as("the handler never ran with part of the body").isEmpty();
        assertThat(loud()).as("no record at INFO or above").isEmpty();
    }

    /**
     * Sends an HTTP/2 POST that declares 1,000 bytes, 11 of them, waits until the request is in the server's filters
     * (a stream whose connection ends before it is routed is never routed: nothing would wait), and hangs up.
     */
    private static void hangUpInTheMiddleOfABody(int port, TestClient client) throws Exception {
        try (H2Frames h2 = new H2Frames(port, 10_000)) {
            hangUpInTheMiddleOfABody(h2, 1, client);
        }
    }

    private static void hangUpInTheMiddleOfABody(H2Frames h2, int stream, TestClient client) throws Exception {
        h2.frame(H2Frames.HEADERS, H2Frames.END_HEADERS, stream, H2Frames.headerBlock("POST", ECHO,
                "content-type", "text/plain", "content-length", "1000"));
        h2.frame(H2Frames.DATA, 0, stream, "{\"id\":\"o1\",".getBytes(StandardCharsets.US_ASCII));
        awaitActivePost(client);
        hangUp(h2);
    }

    /**
     * A gRPC call whose TCP connection drops, without the client resetting its stream, is cancelled: Helidon 4.5.0 left
     * it open for ever, so two health Watch streams dropped that way held both places of {@code health.max-watchers}
     * and every later Watch got RESOURCE_EXHAUSTED — a denial of service for anyone able to open two connections.
     */
    @Test
    void aGrpcCallWhoseConnectionDropsIsCancelled() throws Exception {
        for (int i = 0; i < 2; i++) {
            try (H2Frames h2 = new H2Frames(service.port(), 10_000)) {
                h2.frame(H2Frames.HEADERS, H2Frames.END_HEADERS, 1, H2Frames.headerBlock("POST",
                        "/grpc.health.v1.Health/Watch", "content-type", "application/grpc", "te", "trailers"));
                h2.frame(H2Frames.DATA, H2Frames.END_STREAM, 1, new byte[] {0, 0, 0, 0, 0}); // an empty request
                assertThat(h2.readUntil(f -> f.type() == H2Frames.DATA && f.stream() == 1))
                        .as("watch %d is served its first status", i).isNotNull();
            } // closes the socket: no RST_STREAM, no GOAWAY
        }
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", service.port()).usePlaintext().build();
        try {
            String status = Eventually.within(Duration.ofSeconds(10)).get("a new Watch is served", () -> {
                try {
                    return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                            .watch(HealthCheckRequest.getDefaultInstance()).next().getStatus().name();
                } catch (StatusRuntimeException e) {
                    return e.getStatus().getCode().name();
                }
            }, "SERVING"::equals);
            assertThat(status).isEqualTo("SERVING");
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertThat(loud()).as("no record at INFO or above").isEmpty();
    }

    /** Waits until a POST is in the server's filters (this class's tests send one at a time). */
    private static void awaitActivePost(TestClient client) {
        Pattern active = Pattern.compile("http_server_active_requests\\{http_request_method=\"POST\",[^}]*} (\\d+)");
        Eventually.within(Duration.ofSeconds(10)).get("a POST is in the server's filters",
                () -> client.get("/metrics").body(), m -> {
                    Matcher matcher = active.matcher(m);
                    return matcher.find() && Long.parseLong(matcher.group(1)) >= 1;
                });
    }

    /**
     * A body that arrived whole is the handler's, whatever happens to the connection afterwards: a keyed POST (its body
     * read to its declared length, not to the end of the stream) whose client hangs up while the handler works is not
     * interrupted, and its answer is counted as it was given (200), not as a hang-up.
     */
    @Test
    void aBodyThatArrivedWholeIsNotTakenBackWhenTheClientHangsUp() throws Exception {
        DownstreamApi.release = new CountDownLatch(1);
        DownstreamApi.entered = new CountDownLatch(1);
        String before = service.client().get("/metrics").body();
        try (H2Frames h2 = new H2Frames(service.port(), 10_000)) {
            byte[] body = "{\"id\":\"o1\"}".getBytes(StandardCharsets.US_ASCII);
            h2.frame(H2Frames.HEADERS, H2Frames.END_HEADERS, 1, H2Frames.headerBlock("POST", KEPT,
                    "content-type", "text/plain", "content-length", Integer.toString(body.length),
                    "idempotency-key", "whole-body-1"));
            h2.frame(H2Frames.DATA, 0, 1, body);
            h2.frame(H2Frames.DATA, H2Frames.END_STREAM, 1, new byte[0]); // as some clients end a stream
            assertThat(DownstreamApi.entered.await(10, TimeUnit.SECONDS)).as("the handler has the body").isTrue();
            hangUp(h2);
        }
        DownstreamApi.release.countDown();
        String after = Eventually.within(Duration.ofSeconds(10)).get(KEPT + "'s 200s grew",
                () -> service.client().get("/metrics").body(),
                m -> count(m, KEPT, "200") > count(before, KEPT, "200"));
        assertThat(count(after, KEPT, "400")).as("not counted as a hang-up").isEqualTo(count(before, KEPT, "400"));
        assertThat(DownstreamApi.interrupted).as("the handler was not interrupted").isFalse();
        assertThat(loud()).as("no record at INFO or above").isEmpty();
    }

    /** Handlers for these tests: one that does not read its body, one that tells the body it got, one that works on. */
    @Path("/gone")
    public static final class DownstreamApi {
        static final Queue<Integer> RECEIVED = new ConcurrentLinkedQueue<>();
        static volatile CountDownLatch entered = new CountDownLatch(0);
        static volatile CountDownLatch release = new CountDownLatch(0);
        static volatile boolean interrupted;

        @Post("/downstream")
        public String downstream() {
            throw new DataReader.InsufficientDataAvailableException();
        }

        /** Records the length of the body it was given: a hung-up client's must never reach it. */
        @Post("/length")
        public int length(@Body String body) {
            RECEIVED.add(body.length());
            return body.length();
        }

        /** Has its body, then works until the test releases it. */
        @Post("/kept")
        public int kept(@Body String body) {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
                Thread.currentThread().interrupt();
            }
            return body.length();
        }
    }
}
