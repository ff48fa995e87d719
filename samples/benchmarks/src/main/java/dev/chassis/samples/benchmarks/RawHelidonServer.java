package dev.chassis.samples.benchmarks;

import com.fasterxml.jackson.databind.ObjectWriter;

import dev.chassis.core.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;

/**
 * {@code GET /hello} hand-written on Helidon SE 4 routing, with Helidon's defaults: the baseline
 * {@link ChassisServer} is compared with. It uses chassis-core only for {@link Json#mapper()}, the Jackson
 * mapper Chassis serialises with, and starts no Chassis service.
 *
 * <p>Usage: {@code java -cp ... dev.chassis.samples.benchmarks.RawHelidonServer PORT}; prints
 * {@code READY <port>} once it serves.
 */
public final class RawHelidonServer {
    private static final ObjectWriter WRITER = Json.mapper().writerFor(Greeting.class);

    private RawHelidonServer() {
    }

    /**
     * Starts the server and returns; the server threads keep the process alive.
     *
     * @param args the port to listen on (required)
     */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: RawHelidonServer PORT");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        WebServer server = WebServer.builder()
                .port(port)
                .routing(r -> r.get("/hello", (req, res) -> {
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send(WRITER.writeValueAsBytes(Greeting.HELLO));
                }))
                .build()
                .start();
        System.out.println("READY " + server.port());
        System.out.flush();
    }
}
