package dev.chassis.samples.benchmarks;

import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectWriter;

import dev.chassis.core.Chassis;
import dev.chassis.core.Json;
import dev.chassis.core.RunningService;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;

/**
 * The endpoint bench-overload.sh overloads, {@code GET /work} ({@link Work#burn(int)}: a known amount of CPU), served
 * two ways: {@code chassis} — a Chassis service with its defaults (the adaptive concurrency limit on, every overload
 * limit at its default) — or {@code raw} — the same route hand-written on Helidon SE 4 routing with Helidon's
 * defaults, as {@link RawHelidonServer}. Both serialise the answer with Chassis' Jackson mapper.
 *
 * <p>Usage: {@code java -cp ... dev.chassis.samples.benchmarks.OverloadBenchServer chassis|raw PORT ROUNDS}; prints
 * {@code READY <port>} once it serves. Both also serve {@code GET /hold}, which answers after {@link #HOLD} without
 * using a CPU: with {@code server.concurrency-limit.algorithm=fixed} and {@code initial-limit=1}, one {@code /hold}
 * in flight makes Chassis refuse every {@code /work}, which is how the cost of one refusal is measured (README).
 */
public final class OverloadBenchServer {
    private static final ObjectWriter WRITER = Json.mapper().writerFor(Work.Digest.class);
    /** How long {@code GET /hold} holds its request. */
    static final Duration HOLD = Duration.ofMinutes(5);

    private OverloadBenchServer() {
    }

    /** The annotated handler the Chassis server serves. */
    @Path("/work")
    public static final class WorkEndpoint {
        private final int rounds;

        WorkEndpoint(int rounds) {
            this.rounds = rounds;
        }

        /** {@code GET /work}: {@code rounds} blocks hashed. */
        @Get
        public Work.Digest work() {
            return Work.burn(rounds);
        }
    }

    /** The handler that holds a request (and so a concurrency permit) without using a CPU. */
    @Path("/hold")
    public static final class HoldEndpoint {
        /** {@code GET /hold}: answers after {@link #HOLD}. */
        @Get
        public String hold() throws InterruptedException {
            Thread.sleep(HOLD);
            return "held";
        }
    }

    /**
     * Starts the server and returns; the server threads keep the process alive.
     *
     * @param args {@code chassis} or {@code raw}, the port, the 4 KiB blocks each request hashes
     */
    public static void main(String[] args) {
        if (args.length != 3 || !args[0].equals("chassis") && !args[0].equals("raw")) {
            System.err.println("usage: OverloadBenchServer chassis|raw PORT ROUNDS");
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int bound;
        if (args[0].equals("chassis")) {
            RunningService service = Chassis.service("bench").http(new WorkEndpoint(rounds)).http(new HoldEndpoint())
                    .property("server.port", Integer.toString(port)).start();
            bound = service.port();
        } else {
            WebServer server = WebServer.builder().port(port)
                    .routing(r -> r.get("/work", (req, res) -> {
                        res.header(HeaderNames.CONTENT_TYPE, "application/json");
                        res.send(WRITER.writeValueAsBytes(Work.burn(rounds)));
                    }).get("/hold", (req, res) -> {
                        Thread.sleep(HOLD);
                        res.send("held");
                    })).build().start();
            bound = server.port();
        }
        System.out.println("READY " + bound);
        System.out.flush();
    }
}
