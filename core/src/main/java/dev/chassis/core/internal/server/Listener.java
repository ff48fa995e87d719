package dev.chassis.core.internal.server;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import dev.chassis.core.config.Config;
import dev.chassis.core.internal.transport.ConnectionGuard;
import dev.chassis.core.internal.http.server.ProblemDirectHandler;
import dev.chassis.core.internal.telemetry.Telemetry;
import dev.chassis.core.internal.tls.HandshakeFailures;
import dev.chassis.core.internal.tls.TlsBundle;
import dev.chassis.core.internal.tls.TlsBundles;
import dev.chassis.core.internal.tls.TlsSettings;
import io.helidon.common.tls.Tls;
import io.helidon.http.DirectHandler;
import io.helidon.webserver.ErrorHandling;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.grpc.GrpcReflectionFeature;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http2.Http2Config;
import io.helidon.webserver.spi.ProtocolConfig;

/**
 * Phase 4, serve: builds the Helidon server around the bound routing and opens the port — and the management port,
 * a second Helidon socket, when {@code management.port} is set. Not API.
 *
 * @param server          the started server
 * @param guard           the service port's connection selector (header deadlines), closed after the server stops
 * @param tls             the bundle the service port serves TLS with, or null for plaintext
 * @param managementGuard the management port's connection selector, or null when there is no management port
 * @param managementTls   the bundle the management port serves TLS with, or null
 */
record Listener(WebServer server, ConnectionGuard guard, TlsBundle tls, ConnectionGuard managementGuard,
                TlsBundle managementTls) {
    private static final System.Logger LOG = System.getLogger(Listener.class.getName());
    /** The Helidon socket name of the management port. */
    static final String MANAGEMENT = "management";

    static Listener open(Config config, List<ProtocolConfig> protocols, Binding binding, TlsBundles bundles,
                         Telemetry telemetry) {
        TlsBundle bundle = config.find(TlsSettings.SERVER_BUNDLE).flatMap(bundles::find).orElse(null);
        TlsBundle managementBundle = config.find(TlsSettings.MANAGEMENT_BUNDLE).flatMap(bundles::find).orElse(null);
        ConnectionGuard guard = guard(config, protocols, WebServer.DEFAULT_SOCKET_NAME, bundle, telemetry);
        ConnectionGuard managementGuard = null;
        try {
            WebServerConfig.Builder builder = WebServer.builder().shutdownHook(false);
            configure(builder, config, guard, config.get(CoreSettings.HOST), config.get(CoreSettings.PORT));
            builder.routing(binding.http());
            if (bundle != null) {
                builder.tls(tls(bundle, config.get(TlsSettings.SERVER_CLIENT_AUTH)));
            }
            builder.useNio(bundle != null);
            Set<String> reflection = Set.of(WebServer.DEFAULT_SOCKET_NAME);
            if (binding.management() != null) {
                ConnectionGuard managing = guard(config, protocols, MANAGEMENT, managementBundle, telemetry);
                managementGuard = managing;
                builder.putSocket(MANAGEMENT, socket -> {
                    configure(socket, config, managing, config.find(CoreSettings.MANAGEMENT_HOST)
                            .orElse(config.get(CoreSettings.HOST)), config.get(CoreSettings.MANAGEMENT_PORT));
                    socket.routing(binding.management());
                    if (managementBundle != null) {
                        socket.tls(tls(managementBundle, config.get(TlsSettings.MANAGEMENT_CLIENT_AUTH)));
                    }
                    socket.useNio(managementBundle != null);
                    if (binding.managementGrpc() != null) {
                        socket.addRouting(binding.managementGrpc());
                    }
                });
                reflection = Set.of(MANAGEMENT);
            }
            if (binding.grpc() != null) {
                builder.addRouting(binding.grpc());
                if (config.get(CoreSettings.GRPC_REFLECTION)) {
                    // grpc.reflection.v1 (and v1alpha for older tools), so that grpcurl and friends can list and call
                    Set<String> sockets = reflection;
                    builder.addFeature(GrpcReflectionFeature.create(r -> r.enabled(true).sockets(sockets)));
                }
            }
            WebServer server = builder.build().start();
            if (!server.isRunning() || server.port() < 0
                    || binding.management() != null && server.port(MANAGEMENT) < 0) {
                if (server.isRunning()) {
                    server.stop();
                }
                throw new IllegalStateException("cannot listen on " + config.get(CoreSettings.HOST) + ":"
                        + config.get(CoreSettings.PORT) + " (server.host, server.port)" + (binding.management() == null
                        ? "" : " or on " + config.find(CoreSettings.MANAGEMENT_HOST).orElse(config.get(CoreSettings.HOST))
                        + ":" + config.get(CoreSettings.MANAGEMENT_PORT) + " (management.host, management.port)")
                        + ": the port is in use or not allowed");
            }
            return new Listener(server, guard, bundle, managementGuard, managementBundle);
        } catch (RuntimeException e) {
            guard.close();
            if (managementGuard != null) {
                managementGuard.close();
            }
            throw e;
        }
    }

    /** The management port (the service port when there is none). */
    int managementPort() {
        return managementGuard == null ? server.port() : server.port(MANAGEMENT);
    }

    /** Closes the connection selectors, once the server has stopped. */
    void closeGuards() {
        guard.close();
        if (managementGuard != null) {
            managementGuard.close();
        }
    }

    /**
     * The listener's only connection selector: it serves HTTP/1.1 and HTTP/2 with the protocol configurations Helidon
     * discovers (gRPC among them); with TLS it bounds and counts handshakes.
     */
    private static ConnectionGuard guard(Config config, List<ProtocolConfig> protocols, String socket, TlsBundle bundle,
                                         Telemetry telemetry) {
        int maxHeaders = Math.toIntExact(config.get(CoreSettings.MAX_HEADERS));
        return new ConnectionGuard(config.get(CoreSettings.HEADER_TIMEOUT),
                Http1Config.builder().maxHeadersSize(maxHeaders),
                Http2Config.builder().maxHeaderListSize(maxHeaders)
                        .maxConcurrentStreams(config.get(CoreSettings.MAX_STREAMS)).build(),
                socket, protocols, Math.toIntExact(config.get(CoreSettings.GRPC_MAX_MESSAGE)),
                bundle == null ? null : new HandshakeFailures(bundle.name(), telemetry.openTelemetry()),
                config.get(TlsSettings.SERVER_HANDSHAKE_TIMEOUT), maxConnections(config, socket, bundle != null),
                telemetry.openTelemetry());
    }

    /**
     * {@code server.max-connections}, or when it is unset what fits in the port's share of the heap (logged at DEBUG,
     * and in the gauge chassis.server.connections.limit).
     */
    private static int maxConnections(Config config, String socket, boolean tls) {
        Integer configured = config.find(CoreSettings.MAX_CONNECTIONS).orElse(null);
        if (configured != null) {
            return configured;
        }
        long heap = Runtime.getRuntime().maxMemory();
        boolean management = socket.equals(MANAGEMENT);
        int max = ConnectionBudget.defaultMaxConnections(heap, tls, management, config.get(CoreSettings.MAX_HEADERS));
        LOG.log(Level.DEBUG, "the " + (management ? "management" : "service") + " port keeps at most " + max
                + (tls ? " TLS" : "") + " connections open: server.max-connections is unset, so it is what fits in "
                + (management ? "an eighth" : "half") + " of the " + heap / (1024 * 1024) + " MiB heap");
        return max;
    }

    /**
     * What both ports share: limits, timeouts, Chassis' error answers and connection selector. Each port then says
     * whether it uses NIO socket channels: only with TLS. A plaintext port uses plain sockets, which hold one 8 KiB
     * buffer a connection where a channel holds two (reading and writing), for the same throughput; under a slowloris
     * the young collections that copy newly opened connections pause about a third less (docs/benchmarks.md). TLS keeps
     * Helidon's default, where that was not measured.
     */
    private static void configure(ListenerConfig.BuilderBase<?, ?> socket, Config config, ConnectionGuard guard,
                                  String host, int port) {
        DirectHandlers.Builder directHandlers = DirectHandlers.builder();
        ProblemDirectHandler direct = new ProblemDirectHandler();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            directHandlers.addHandler(type, direct);
        }
        Duration idle = config.get(CoreSettings.IDLE_TIMEOUT);
        socket.host(host)
                .port(port)
                .maxPayloadSize(config.get(CoreSettings.MAX_BODY))
                .idleConnectionTimeout(idle)
                .idleConnectionPeriod(Duration.ofMillis(Math.max(100, Math.min(idle.toMillis() / 4, 10_000))))
                .shutdownGracePeriod(Duration.ofSeconds(1))
                .errorHandling(ErrorHandling.builder().includeEntity(true).build())
                .directHandlers(directHandlers.build())
                .protocolsDiscoverServices(false)
                .addConnectionSelector(guard);
    }

    /**
     * The bundle's context is fixed and its key manager follows the files, so reloading needs nothing from Helidon;
     * ALPN offers what the guard serves (h2 and http/1.1).
     */
    private static Tls tls(TlsBundle bundle, TlsSettings.ClientAuth clientAuth) {
        return Tls.builder().sslContext(bundle.context()).sslParameters(bundle.serverParameters(clientAuth)).build();
    }
}
