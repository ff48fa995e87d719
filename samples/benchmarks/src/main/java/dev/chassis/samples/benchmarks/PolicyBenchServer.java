package dev.chassis.samples.benchmarks;

import com.fasterxml.jackson.databind.ObjectWriter;

import dev.chassis.core.Chassis;
import dev.chassis.core.Json;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.resilience.Bulkhead;
import dev.chassis.resilience.RateLimiter;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;

/**
 * What the resilience policies cost, measured pairwise in one process:
 * <ul>
 * <li>{@code GET /plain} vs {@code GET /guarded}: the same handler, the second behind a rate limiter and a
 * bulkhead whose limits are never reached;</li>
 * <li>{@code GET /call-plain} vs {@code GET /call-guarded}: a handler calling a backend {@code GET /hello}
 * through a declarative client, the first with retries off and no circuit breaker, the second with the
 * standard retry and a circuit breaker (which never open, as the backend never fails).</li>
 * </ul>
 * The backend is hand-written Helidon on {@code port + 1}, in the same process.
 *
 * <p>Usage: {@code java -cp ... dev.chassis.samples.benchmarks.PolicyBenchServer PORT}; prints
 * {@code READY <port>} once it serves.
 */
public final class PolicyBenchServer {
    private static final ObjectWriter WRITER = Json.mapper().writerFor(Greeting.class);

    private PolicyBenchServer() {
    }

    /** The client both variants use. */
    @Path("/hello")
    public interface HelloClient {
        /** The backend's greeting. */
        @Get
        Greeting hello();
    }

    /** The four endpoints under test. */
    @Path("/")
    public static final class Endpoints {
        private final HelloClient plain;
        private final HelloClient guarded;

        Endpoints(HelloClient plain, HelloClient guarded) {
            this.plain = plain;
            this.guarded = guarded;
        }

        /** No policy. */
        @Get("/plain")
        public Greeting plain() {
            return Greeting.HELLO;
        }

        /** Rate limiter and bulkhead, never full. */
        @Get("/guarded")
        @RateLimiter(limit = 1_000_000, period = "1s")
        @Bulkhead(maxConcurrent = 10_000)
        public Greeting guarded() {
            return Greeting.HELLO;
        }

        /** A client call without policies. */
        @Get("/call-plain")
        public Greeting callPlain() {
            return plain.hello();
        }

        /** A client call through retry and circuit breaker. */
        @Get("/call-guarded")
        public Greeting callGuarded() {
            return guarded.hello();
        }
    }

    /**
     * Starts the backend and the service.
     *
     * @param args the service port (the backend listens on the next one)
     */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: PolicyBenchServer PORT");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        WebServer backend = WebServer.builder()
                .port(port + 1)
                .routing(r -> r.get("/hello", (req, res) -> {
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send(WRITER.writeValueAsBytes(Greeting.HELLO));
                }))
                .build()
                .start();
        String backendUrl = "http://127.0.0.1:" + backend.port();
        ServiceBuilder b = Chassis.service("policy-bench")
                .property("server.port", Integer.toString(port))
                .property("clients.plain.url", backendUrl)
                .property("clients.plain.retry.enabled", "false")
                .property("clients.guarded.url", backendUrl)
                .property("clients.guarded.circuit-breaker.enabled", "true");
        HelloClient plain = b.client(HelloClient.class, "plain");
        HelloClient guarded = b.client(HelloClient.class, "guarded");
        b.http(new Endpoints(plain, guarded)).start();
        System.out.println("READY " + port);
        System.out.flush();
    }
}
