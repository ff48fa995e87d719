package dev.chassis.tests.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Chassis;
import dev.chassis.testing.TestService;

/**
 * {@code server.request-timeout} and {@code server.body-timeout}, driven with raw sockets and raw HTTP/2 frames: a
 * request that runs too long is interrupted and answered 503; a body that dribbles (a slow POST) frees its thread and
 * connection (HTTP/1.1) or gets 408 on its stream (HTTP/2); other clients are served meanwhile.
 */
class RequestDeadlinesTest {
    private static final String PING = "GET /limits/ping HTTP/1.1\r\nHost: x\r\n\r\n";
    private static final LimitsApi API = new LimitsApi();

    @RegisterExtension
    static final TestService service = TestService.of(() -> Chassis.service("deadlines")
            .http(API)
            .property("server.request-timeout", "2s")
            .property("server.body-timeout", "300ms"));

    @Test
    void aRequestOverItsDeadlineIsInterruptedAndAnswered503() throws Exception {
        int interrupted = API.interrupted.get();
        try (RawSocket slow = new RawSocket(service.port(), 30_000); RawSocket other = new RawSocket(service.port(), 10_000)) {
            slow.send("GET /limits/sleep?ms=60000 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(other.send(PING).readOneResponse()).as("served meanwhile").startsWith("HTTP/1.1 200");
            String answer = slow.readOneResponse();
            assertThat(answer).startsWith("HTTP/1.1 503").containsIgnoringCase("Retry-After: 1")
                    .contains("application/problem+json").contains("server.request-timeout");
            assertThat(API.interrupted.get()).as("the handler's thread was interrupted").isEqualTo(interrupted + 1);
            assertThat(slow.send(PING).readOneResponse()).as("the connection serves its next request")
                    .startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void aDeadlineAlreadyPastAsTheRequestStartsIsAnswered503() throws Exception {
        // one nanosecond: gRPC finds the request's context expired as it is made and schedules nothing, so the
        // deadline is heard through the context's cancellation instead of the timer
        try (var hasty = Chassis.service("hasty").http(new LimitsApi()).property("server.port", "0")
                .property("server.request-timeout", "PT0.000000001S").start();
             RawSocket s = new RawSocket(hasty.port(), 10_000)) {
            assertThat(s.send(PING).readOneResponse()).startsWith("HTTP/1.1 503")
                    .contains("application/problem+json").contains("server.request-timeout");
        }
    }

    @Test
    void theHandlerSeesTheRequestDeadlineThatItsOutgoingCallsInherit() throws Exception {
        try (RawSocket s = new RawSocket(service.port(), 10_000)) {
            String answer = s.send("GET /limits/deadline HTTP/1.1\r\nHost: x\r\n\r\n").readOneResponse();
            long left = Long.parseLong(answer.substring(answer.indexOf("\r\n\r\n") + 4).trim());
            assertThat(left).isBetween(1L, 2_000L);
        }
    }

    @Test
    void aSlowPostOnHttp1IsCutOffAndItsThreadFreed() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        try (RawSocket slow = new RawSocket(service.port(), 30_000)) {
            slow.send("POST /limits/echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n");
            Thread dribbler = Thread.ofVirtual().start(() -> {
                try {
                    while (!stop.get()) {
                        slow.send("a");
                        Thread.sleep(200);
                    }
                } catch (Exception closed) {
                    // the server cut the connection: what we wait for
                }
            });
            RawSocket.Reply r = slow.readUntilCloseOrTimeout();
            assertThat(r.closedByServer()).as("the slow POST's connection is closed").isTrue();
            stop.set(true);
            dribbler.join(Duration.ofSeconds(10));
            try (RawSocket other = new RawSocket(service.port(), 10_000)) {
                assertThat(other.send(PING).readOneResponse()).startsWith("HTTP/1.1 200");
            }
        } finally {
            stop.set(true);
        }
    }

    /** POSTs 1,000 bytes at once to a handler that works 800 ms after reading them (past the 300 ms body deadline). */
    private static String slowEcho(String extraHeaders) throws Exception {
        try (RawSocket s = new RawSocket(service.port(), 10_000)) {
            return s.send("POST /limits/slow-echo?ms=800 HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                    + extraHeaders + "Content-Length: 1000\r\n\r\n" + "b".repeat(1000)).readOneResponse();
        }
    }

    @Test
    void aBodyReadInTimeIsServedHoweverLongTheHandlerThenTakes() throws Exception {
        assertThat(slowEcho("")).startsWith("HTTP/1.1 200").contains("read 1000");
    }

    /**
     * The same with an Idempotency-Key, whose body Chassis reads to its declared length and not on to the end of the
     * stream: it is complete all the same, and the handler working past the body deadline is not interrupted (before,
     * it was, and the 408 was stored for the key's retries).
     */
    @Test
    void aKeyedBodyReadInTimeIsServedHoweverLongTheHandlerThenTakes() throws Exception {
        assertThat(slowEcho("Idempotency-Key: keyed-slow-1\r\n")).as("not 408: the deadline left the handler alone")
                .startsWith("HTTP/1.1 200");
    }

    @Test
    void aSlowPostOnHttp2Gets408OnItsStreamAndTheConnectionServesOn() throws Exception {
        try (H2Frames h2 = new H2Frames(service.port(), 10_000)) {
            h2.frame(H2Frames.HEADERS, H2Frames.END_HEADERS, 1, H2Frames.headerBlock("POST", "/limits/echo",
                    "content-type", "text/plain", "content-length", "1000"));
            AtomicBoolean stop = new AtomicBoolean();
            Thread dribbler = Thread.ofVirtual().start(() -> {
                try {
                    while (!stop.get()) {
                        h2.frame(H2Frames.DATA, 0, 1, new byte[] {'a'});
                        Thread.sleep(200);
                    }
                } catch (Exception closed) {
                    // the stream or connection is gone
                }
            });
            try {
                H2Frames.Frame data = h2.readUntil(f -> f.type() == H2Frames.DATA && f.stream() == 1);
                assertThat(data).as("an answer on the slow stream").isNotNull();
                assertThat(data.text()).contains("\"status\":408").contains("server.body-timeout");
            } finally {
                stop.set(true);
                dribbler.join(Duration.ofSeconds(10));
            }
            h2.get(3, "/limits/ping");
            H2Frames.Frame pong = h2.readUntil(f -> f.type() == H2Frames.DATA && f.stream() == 3);
            assertThat(pong).isNotNull();
            assertThat(pong.text()).contains("pong");
        }
    }

    /**
     * Helidon bounds a declared length by server.max-body-size on HTTP/1.1 only: a keyed HTTP/2 stream declaring
     * 1.5 GB (and sending a byte) once had that much reserved and allocated for its body until the body deadline.
     */
    @Test
    void aKeyedHttp2StreamDeclaringMoreThanTheBodyLimitGets413AtOnce() throws Exception {
        try (var keyed = Chassis.service("keyed").http(new LimitsApi()).property("server.port", "0")
                .property("test-store.mode", "memory").property("server.body-timeout", "30s").start();
             H2Frames h2 = new H2Frames(keyed.port(), 10_000)) {
            h2.frame(H2Frames.HEADERS, H2Frames.END_HEADERS, 1, H2Frames.headerBlock("POST", "/limits/echo",
                    "content-type", "text/plain", "content-length", "1500000000", "idempotency-key", "huge-1"));
            h2.frame(H2Frames.DATA, 0, 1, new byte[] {'a'});
            H2Frames.Frame data = h2.readUntil(f -> f.type() == H2Frames.DATA && f.stream() == 1);
            assertThat(data).as("an answer on the stream").isNotNull();
            assertThat(data.text()).contains("\"status\":413").doesNotContain("server.body-timeout");
            h2.get(3, "/limits/ping");
            H2Frames.Frame pong = h2.readUntil(f -> f.type() == H2Frames.DATA && f.stream() == 3);
            assertThat(pong).isNotNull();
            assertThat(pong.text()).contains("pong");
        }
    }

    @Test
    void anUnlimitedServiceKeepsNoDeadline() throws Exception {
        try (var unlimited = Chassis.service("unlimited").http(new LimitsApi()).property("server.port", "0")
                .property("server.request-timeout", "0s").property("server.body-timeout", "0s").start();
             RawSocket s = new RawSocket(unlimited.port(), 10_000)) {
            String answer = s.send("GET /limits/deadline HTTP/1.1\r\nHost: x\r\n\r\n").readOneResponse();
            assertThat(answer.substring(answer.indexOf("\r\n\r\n") + 4).trim()).isEqualTo("-1");
        }
    }
}
