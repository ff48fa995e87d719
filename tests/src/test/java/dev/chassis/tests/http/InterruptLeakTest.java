package dev.chassis.tests.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.tests.grpc.DeadlineToHttpTest.Slow;
import dev.chassis.tests.grpc.DeadlineToHttpTest.SlowClient;

/**
 * A request whose deadline passes while its handler waits on an outgoing call is interrupted twice over: by the
 * request's own deadline and by the client call's cancellation listener, which gRPC runs one after the other on the
 * timer's thread. Neither interrupt may outlive the request: the next request on the same keep-alive connection runs
 * on the same virtual thread, and a late interrupt would fail its read or its handler. Many rounds, because the late
 * listener is a race (seen in about 1 request in 50 before both sides took their interrupts back), and so is the
 * request deadline's own interrupt while the 503 is written (seen as a connection closed instead of the answer, before
 * the interrupt was cleared ahead of the answer).
 */
class InterruptLeakTest {
    @Path("/")
    public static final class Front {
        private final SlowClient slow;

        Front(SlowClient slow) {
            this.slow = slow;
        }

        @Get("/via")
        public String via() {
            return slow.slow();
        }

        @Get("/sleepy")
        public String sleepy() throws InterruptedException {
            Thread.sleep(5); // an interruptible wait on purpose, not a wait for something: a leaked interrupt ends it, a 500
            return "ok";
        }
    }

    @Test
    void noInterruptOutlivesTheRequestItWasFor() throws Exception {
        try (RunningService slowService = Chassis.service("slow").property("server.port", "0").http(new Slow()).start()) {
            ServiceBuilder b = Chassis.service("front").property("server.port", "0")
                    .property("server.request-timeout", "100ms")
                    .property("clients.slow.url", slowService.uri().toString())
                    .property("clients.slow.retry.enabled", "false")
                    .property("clients.slow.circuit-breaker.enabled", "false");
            SlowClient client = b.client(SlowClient.class);
            try (RunningService front = b.http(new Front(client)).start();
                 RawSocket s = new RawSocket(front.port(), 30_000)) {
                for (int i = 0; i < 60; i++) {
                    // 503 when the request's deadline wins, 504 when the client's read timeout (what was left of
                    // that deadline) does: both end at about 100 ms
                    assertThat(s.send("GET /via HTTP/1.1\r\nHost: x\r\n\r\n").readOneResponse())
                            .as("round %d: the request over its deadline", i).matches("(?s)HTTP/1\\.1 50[34] .*");
                    assertThat(s.send("GET /sleepy HTTP/1.1\r\nHost: x\r\n\r\n").readOneResponse())
                            .as("round %d: the next request on the connection", i).startsWith("HTTP/1.1 200");
                }
            }
        }
    }
}
