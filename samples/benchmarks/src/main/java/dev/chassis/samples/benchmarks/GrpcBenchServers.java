package dev.chassis.samples.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.grpc.GrpcConfig;
import io.helidon.webserver.grpc.GrpcRouting;
import io.helidon.webserver.spi.ProtocolConfig;

/**
 * The same {@link BenchService} served three ways, in one process, each on 127.0.0.1 with its defaults:
 * <ul>
 * <li>{@code PORT}: a Chassis service ({@code Chassis.service(...).grpc(...)}), chassis-core's defaults and
 * interceptors (deadline, error model, gRPC health);</li>
 * <li>{@code PORT + 1}: the service registered by hand on Helidon SE 4's gRPC routing, with gRPC compression
 * off as Chassis sets it (Helidon's default compresses every answer, which halves its throughput; with it
 * on, this comparison would measure compression, not Chassis);</li>
 * <li>{@code PORT + 2}: grpc-java's own Netty server ({@code grpc-netty-shaded}), grpc-java's defaults.</li>
 * </ul>
 * {@code bench-grpc.sh} loads them one at a time, alternately, with {@link GrpcLoad}.
 *
 * <p>Usage: {@code java -cp ... dev.chassis.samples.benchmarks.GrpcBenchServers PORT}; prints
 * {@code READY <chassis port> <helidon port> <netty port>} once all three serve, and runs until it is
 * terminated (SIGTERM stops all three).
 */
public final class GrpcBenchServers {
    private static final String HOST = "127.0.0.1";

    private GrpcBenchServers() {
    }

    /**
     * Starts the three servers and waits until the process is terminated.
     *
     * @param args the first port (required); the next two are used too
     * @throws IOException when grpc-java's server cannot bind
     * @throws InterruptedException when interrupted while waiting
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: GrpcBenchServers PORT   (uses PORT, PORT+1, PORT+2)");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        if (port < 1 || port > 65533) {
            System.err.println("GrpcBenchServers: PORT must be in 1..65533, was " + port);
            System.exit(2);
        }

        RunningService chassis = Chassis.service("bench")
                .property("server.host", HOST)
                .property("server.port", Integer.toString(port))
                .grpc(new BenchService())
                .start();

        List<ProtocolConfig> protocols = WebServer.builder().buildPrototype().protocols()
                .stream()
                .map(p -> p instanceof GrpcConfig g
                        ? (ProtocolConfig) GrpcConfig.builder().from(g)
                                .enableCompression(false).build()
                        : p)
                .toList();
        WebServer helidon = WebServer.builder()
                .host(HOST)
                .port(port + 1)
                .protocolsDiscoverServices(false)
                .protocols(protocols)
                .addRouting(GrpcRouting.builder().service(new BenchService()))
                .build()
                .start();

        Server netty = NettyServerBuilder.forAddress(new InetSocketAddress(HOST, port + 2))
                .addService(new BenchService())
                .build()
                .start();
        // Chassis and Helidon stop on their own shutdown hooks; grpc-java's server needs one
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            netty.shutdown();
            try {
                if (!netty.awaitTermination(5, TimeUnit.SECONDS)) {
                    netty.shutdownNow();
                }
            } catch (InterruptedException e) {
                netty.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }, "grpc-netty-stop"));

        System.out.println("READY " + chassis.port() + " " + helidon.port() + " " + netty.getPort());
        System.out.flush();
        netty.awaitTermination(); // grpc-java's threads are daemons: keep main alive until terminated
    }
}
