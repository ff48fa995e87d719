package dev.chassis.core.internal.tls;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import dev.chassis.core.Peer;
import io.helidon.webserver.http.ServerRequest;

/** The {@link Peer} of a request: the client certificate its connection's handshake verified. Not API. */
public final class Peers {
    private Peers() {
    }

    /** The request's peer; anonymous on a plaintext connection or without a client certificate. */
    public static Peer of(ServerRequest request) {
        if (!request.isSecure()) {
            return Peer.anonymous();
        }
        return request.remotePeer().tlsCertificates().map(Peers::of).orElse(Peer.anonymous());
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
