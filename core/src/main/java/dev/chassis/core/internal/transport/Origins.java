package dev.chassis.core.internal.transport;

import java.net.InetSocketAddress;

import dev.chassis.core.http.Origin;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * A request's {@link Origin}: the one {@link ForwardedFilter} found from a trusted proxy's headers, else the
 * connection's own. Not API.
 */
public final class Origins {
    private Origins() {
    }

    /** The request's origin. */
    public static Origin of(ServerRequest req) {
        return req.context().get(Origin.class, Origin.class).orElseGet(() -> direct(req));
    }

    /** The origin of a request that no trusted proxy forwarded: its peer, scheme and Host header. */
    static Origin direct(ServerRequest req) {
        String address = req.remotePeer().address() instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : req.remotePeer().host();
        String host = req.headers().first(HeaderNames.HOST).orElseGet(() -> req.localPeer().host() + ":"
                + req.localPeer().port());
        return new Origin(address, req.isSecure() ? "https" : "http", host, "", false);
    }
}
