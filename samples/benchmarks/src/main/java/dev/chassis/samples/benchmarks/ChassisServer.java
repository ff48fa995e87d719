package dev.chassis.samples.benchmarks;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;

/**
 * {@code GET /hello} served by Chassis through the annotated {@link HelloEndpoint}, with chassis-core's
 * defaults (no starters on the class path). Compare with {@link RawHelidonServer}.
 *
 * <p>Usage: {@code java -cp ... dev.chassis.samples.benchmarks.ChassisServer PORT}; prints
 * {@code READY <port>} once it serves.
 */
public final class ChassisServer {
    private ChassisServer() {
    }

    /**
     * Starts the service and returns; the server threads keep the process alive.
     *
     * @param args the port to listen on (required)
     */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: ChassisServer PORT");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        RunningService service = Chassis.service("bench")
                .http(new HelloEndpoint())
                .property("server.port", Integer.toString(port))
                .start();
        System.out.println("READY " + service.port());
        System.out.flush();
    }
}
