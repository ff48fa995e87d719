package dev.chassis.core.internal.server;

import java.time.Duration;
import java.util.List;

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
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.grpc.GrpcReflectionFeature;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http2.Http2Config;
import io.helidon.webserver.spi.ProtocolConfig;

/**
 * Phase 4, serve: builds the Helidon server around the bound routing and opens the port. Not API.
 *
 * @param server the started server
 * @param guard  the listener's connection selector (header deadlines), closed after the server stops
 * @param tls    the bundle the port serves TLS with, or null for plaintext
 */
record Listener(WebServer server, ConnectionGuard guard, TlsBundle tls) {

    static Listener open(Config config, List<ProtocolConfig> protocols, Binding binding, TlsBundles bundles,
                         Telemetry telemetry) {
        TlsBundle bundle = config.find(TlsSettings.SERVER_BUNDLE).flatMap(bundles::find).orElse(null);
        DirectHandlers.Builder directHandlers = DirectHandlers.builder();
        ProblemDirectHandler direct = new ProblemDirectHandler();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            directHandlers.addHandler(type, direct);
        }
        Duration idle = config.get(CoreSettings.IDLE_TIMEOUT);
        int maxHeaders = Math.toIntExact(config.get(CoreSettings.MAX_HEADERS));
        // The guard is the listener's only connection selector: it serves HTTP/1.1 and HTTP/2 with the protocol
        // configurations Helidon discovers (gRPC among them).
        ConnectionGuard guard = new ConnectionGuard(config.get(CoreSettings.HEADER_TIMEOUT),
                Http1Config.builder().maxHeadersSize(maxHeaders),
                Http2Config.builder().maxHeaderListSize(maxHeaders).build(),
                WebServer.DEFAULT_SOCKET_NAME, protocols, Math.toIntExact(config.get(CoreSettings.GRPC_MAX_MESSAGE)),
                bundle == null ? null : new HandshakeFailures(bundle.name(), telemetry.openTelemetry()),
                config.get(TlsSettings.SERVER_HANDSHAKE_TIMEOUT), binding.secure());
        try {
            WebServerConfig.Builder builder = WebServer.builder()
                    .host(config.get(CoreSettings.HOST))
                    .port(config.get(CoreSettings.PORT))
                    .shutdownHook(false)
                    .maxPayloadSize(config.get(CoreSettings.MAX_BODY))
                    .idleConnectionTimeout(idle)
                    .idleConnectionPeriod(Duration.ofMillis(Math.max(100, Math.min(idle.toMillis() / 4, 10_000))))
                    .shutdownGracePeriod(Duration.ofSeconds(1))
                    .errorHandling(ErrorHandling.builder().includeEntity(true).build())
                    .directHandlers(directHandlers.build())
                    .protocolsDiscoverServices(false)
                    .addConnectionSelector(guard)
                    .routing(binding.http());
            if (bundle != null) {
                // the bundle's context is fixed and its key manager follows the files, so reloading needs nothing
                // from Helidon; ALPN offers what the guard serves (h2 and http/1.1)
                builder.tls(Tls.builder().sslContext(bundle.context())
                        .sslParameters(bundle.serverParameters(config.get(TlsSettings.SERVER_CLIENT_AUTH))).build());
            }
            if (binding.grpc() != null) {
                // grpc.reflection.v1 (and v1alpha for older tools), so that grpcurl and friends can list and call
                builder.addRouting(binding.grpc()).addFeature(GrpcReflectionFeature.create(r -> r.enabled(true)));
            }
            WebServer server = builder.build().start();
            if (!server.isRunning() || server.port() < 0) {
                if (server.isRunning()) {
                    server.stop();
                }
                throw new IllegalStateException("cannot listen on " + config.get(CoreSettings.HOST) + ":"
                        + config.get(CoreSettings.PORT) + " (server.host, server.port): the port is in use or not allowed");
            }
            return new Listener(server, guard, bundle);
        } catch (RuntimeException e) {
            guard.close();
            throw e;
        }
    }
}
