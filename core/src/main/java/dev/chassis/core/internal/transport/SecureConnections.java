package dev.chassis.core.internal.transport;

import dev.chassis.core.Peer;
import dev.chassis.core.internal.tls.Peers;
import io.helidon.webserver.ConnectionContext;

/**
 * Where a gRPC call finds the client certificate its connection's handshake verified: from the connection whose stream
 * the call's thread serves ({@link ConnectionEnd#current()}), never by the client's address — two connections can
 * come from one address (a client reaching two of the server's addresses from one port, a NAT), and a lookup by
 * address once gave one connection's calls the other's certificate. Thread-safe. Not API.
 */
public final class SecureConnections {
    /** The verified client certificate of the current call's connection; anonymous when there is none. */
    public Peer peer() {
        ConnectionEnd end = ConnectionEnd.current();
        ConnectionContext ctx = end == null ? null : end.connection();
        if (ctx == null || !ctx.isSecure() || !Peers.asksForCertificates(ctx.listenerContext())) {
            return Peer.anonymous();
        }
        return ctx.remotePeer().tlsCertificates().map(Peers::of).orElse(Peer.anonymous());
    }
}
