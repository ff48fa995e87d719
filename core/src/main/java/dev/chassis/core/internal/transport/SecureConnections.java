package dev.chassis.core.internal.transport;

import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.chassis.core.Peer;
import dev.chassis.core.internal.tls.Peers;
import io.helidon.webserver.ConnectionContext;

/**
 * The open TLS connections of one listener, by the client's address, so that a gRPC call (which sees only that
 * address) finds the certificate its connection's handshake verified. Thread-safe. Not API.
 */
public final class SecureConnections {
    private final Map<SocketAddress, ConnectionContext> open = new ConcurrentHashMap<>();

    void opened(SocketAddress remote, ConnectionContext ctx) {
        open.put(remote, ctx);
    }

    void closed(SocketAddress remote, ConnectionContext ctx) {
        open.remove(remote, ctx);
    }

    /** The verified client certificate of the open TLS connection from {@code remote}; anonymous when there is none. */
    public Peer peer(SocketAddress remote) {
        ConnectionContext ctx = remote == null ? null : open.get(remote);
        if (ctx == null || !Peers.asksForCertificates(ctx.listenerContext())) {
            return Peer.anonymous();
        }
        return ctx.remotePeer().tlsCertificates().map(Peers::of).orElse(Peer.anonymous());
    }
}
