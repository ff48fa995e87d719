package dev.chassis.core.internal.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

import dev.chassis.core.Peer;

/**
 * Verifies a server's certificate chain with the bundle's trust, then checks that the certificate has the expected
 * identity — a SPIFFE ID ({@code spiffe://...} URI SAN) or a DNS name — instead of the host name that was dialled.
 * Thread-safe. Not API.
 */
final class IdentityTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager trust;
    private final String expected;
    private final String setting;

    /**
     * @param trust    the chain check (its host-name check is not used)
     * @param expected the identity the server must have
     * @param setting  the key that set it, for the message
     */
    IdentityTrustManager(X509ExtendedTrustManager trust, String expected, String setting) {
        this.trust = trust;
        this.expected = expected;
        this.setting = setting;
    }

    /** Whether the certificate's identity is {@code expected}: its SPIFFE ID, or one of its DNS names. */
    static boolean matches(Peer peer, String expected) {
        if (expected.startsWith("spiffe://")) {
            return peer.spiffeId().map(expected::equals).orElse(false);
        }
        String dns = expected.toLowerCase(Locale.ROOT);
        return peer.dnsNames().stream().anyMatch(n -> n.toLowerCase(Locale.ROOT).equals(dns));
    }

    private void checkIdentity(X509Certificate[] chain) throws CertificateException {
        Peer peer = Peer.of(List.of(chain));
        if (!matches(peer, expected)) {
            throw new CertificateException("the server's certificate is " + peer.identity().orElse("without identity")
                    + (peer.dnsNames().isEmpty() ? "" : " (DNS names " + peer.dnsNames() + ")") + ", not the expected "
                    + expected + " (" + setting + ")");
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        trust.checkServerTrusted(chain, authType);
        checkIdentity(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        trust.checkServerTrusted(chain, authType);
        checkIdentity(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        trust.checkServerTrusted(chain, authType);
        checkIdentity(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        trust.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        trust.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        trust.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return trust.getAcceptedIssuers();
    }
}
