package dev.chassis.core.internal.transport;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicReferenceArray;

import dev.chassis.core.http.Origin;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * A request's {@link Origin}: the one {@link ForwardedFilter} found from a trusted proxy's headers, else the
 * connection's own. Not API.
 */
public final class Origins {
    /**
     * The text of recently seen peer addresses, one per slot by hash: formatting an address costs more than the rest
     * of reading it, and a connection's requests all come from one. Bounded whatever the number of clients; entries
     * are immutable, so a racing reader sees a whole one or none.
     */
    private static final AtomicReferenceArray<AddressText> TEXTS = new AtomicReferenceArray<>(256);

    /** The peer address of a request whose connection had closed already. */
    public static final String GONE = "unknown";

    private Origins() {
    }

    private record AddressText(InetAddress address, String text) {
    }

    /** The request's origin. */
    public static Origin of(ServerRequest req) {
        return req.context().get(Origin.class, Origin.class).orElseGet(() -> direct(req));
    }

    /**
     * The connection's peer address, as text ({@code 192.0.2.7}, {@code 2001:db8:0:0:0:0:0:1}), or {@value #GONE}
     * when the connection closed before the request got here (an HTTP/2 stream whose client hung up: Helidon 4.5.0
     * then has no address, and its {@code host()} throws).
     */
    public static String peerAddress(ServerRequest req) {
        SocketAddress socket = req.remotePeer().address();
        if (socket == null) {
            return GONE;
        }
        String text = text(socket);
        return text != null ? text : req.remotePeer().host();
    }

    /** The IP address of a socket address as text, or null when it has none (a Unix socket, an unresolved name). */
    static String text(SocketAddress socket) {
        if (socket instanceof InetSocketAddress a && a.getAddress() != null) {
            InetAddress address = a.getAddress();
            if (address instanceof Inet6Address v6 && (v6.getScopeId() != 0 || v6.getScopedInterface() != null)) {
                // equal to the same address on another interface, so not cached: its text names the scope
                return address.getHostAddress();
            }
            int slot = address.hashCode() & (TEXTS.length() - 1);
            AddressText cached = TEXTS.getPlain(slot);
            if (cached != null && cached.address.equals(address)) {
                return cached.text;
            }
            String text = address.getHostAddress();
            TEXTS.setPlain(slot, new AddressText(address, text)); // a lost race costs one more formatting, no more
            return text;
        }
        return null;
    }

    /** The origin of a request that no trusted proxy forwarded: its peer, scheme and Host header. */
    static Origin direct(ServerRequest req) {
        String address = peerAddress(req);
        String host = req.headers().first(HeaderNames.HOST).orElseGet(() -> req.localPeer().host() + ":"
                + req.localPeer().port());
        return new Origin(address, req.isSecure() ? "https" : "http", host, "", false);
    }
}
