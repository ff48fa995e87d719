package dev.chassis.samples.benchmarks;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;

/**
 * {@code GET /hello} served by Chassis through the annotated {@link HelloEndpoint}, with chassis-core's
 * defaults (no starters on the class path). Compare with {@link RawHelidonServer}.
 *
 * <p>Usage: {@code java -cp ... dev.chassis.samples.benchmarks.ChassisServer PORT [CERT KEY]}; prints
 * {@code READY <port>} once it serves. With {@code CERT} and {@code KEY} (PEM files) it serves HTTPS with them, as
 * the bundle {@code bench} ({@code server.tls.bundle}): what bench-tls.sh measures.
 */
public final class ChassisServer {
    private ChassisServer() {
    }

    /**
     * Starts the service and returns; the server threads keep the process alive.
     *
     * @param args the port to listen on (required), then optionally the PEM certificate chain and private key
     */
    public static void main(String[] args) {
        if (args.length != 1 && args.length != 3) {
            System.err.println("usage: ChassisServer PORT [CERT KEY]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        ServiceBuilder builder = Chassis.service("bench")
                .http(new HelloEndpoint())
                .property("server.port", Integer.toString(port));
        if (args.length == 3) {
            builder.property("server.tls.bundle", "bench")
                    .property("tls.bundles.bench.certificate", args[1])
                    .property("tls.bundles.bench.private-key", args[2]);
        }
        RunningService service = builder.start();
        System.out.println("READY " + service.port());
        System.out.flush();
    }
}
