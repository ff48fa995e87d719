package dev.chassis.core.internal.tls;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.chassis.core.Peer;
import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import io.helidon.common.tls.TlsConfig;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.http.ServerRequest;

/** The {@link Peer} of a request: the client certificate its connection's handshake verified. Not API. */
public final class Peers {
    private Peers() {
    }

    /** The request's peer; anonymous on a plaintext connection or without a client certificate. */
    public static Peer of(ServerRequest request) {
        if (!request.isSecure() || !asksForCertificates(request.listenerContext())) {
            return Peer.anonymous();
        }
        return request.remotePeer().tlsCertificates().map(Peers::of).orElse(Peer.anonymous());
    }

    /**
     * Whether the listener asks clients for a certificate ({@code client-auth} optional or required). When it does
     * not, no client can have presented one, and asking the session would only throw and catch an
     * {@code SSLPeerUnverifiedException} on every request (Helidon does not cache the answer).
     */
    public static boolean asksForCertificates(ListenerContext listener) {
        Optional<TlsConfig> tls = listener.config().tls().map(Tls::prototype);
        if (tls.isEmpty()) {
            return false;
        }
        return tls.get().clientAuth() != TlsClientAuth.NONE || tls.get().sslParameters()
                .map(p -> p.getNeedClientAuth() || p.getWantClientAuth()).orElse(false);
    }

    /** The peer of a verified chain, leaf first; certificates other than X.509 are ignored. */
    public static Peer of(Certificate[] chain) {
        List<X509Certificate> x509 = new ArrayList<>(chain.length);
        for (Certificate c : chain) {
            if (c instanceof X509Certificate x) {
                x509.add(x);
            }
        }
        return Peer.of(x509);
    }
}
