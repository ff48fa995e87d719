package dev.chassis.core;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import dev.chassis.core.internal.shared.CallPeer;

/**
 * Who is calling, as proven by the certificate the caller presented in the TLS handshake (mutual TLS) and verified
 * against the server's trust bundle. A handler takes it as a parameter ({@code Order get(@PathParam String id, Peer
 * caller)}); without a client certificate (plaintext, or TLS without client authentication) it is
 * {@linkplain #anonymous() anonymous}. A gRPC service method asks {@link #current()}.
 *
 * <p>The {@linkplain #identity() identity} is the SPIFFE ID ({@code spiffe://<trust-domain>/...} URI SAN) when the
 * certificate has one, else its first DNS SAN, else its subject. Immutable and thread-safe.
 */
public final class Peer {
    private static final Peer ANONYMOUS = new Peer(List.of(), null, List.of(), null);
    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;

    private final List<X509Certificate> certificates;
    private final String spiffeId;
    private final List<String> dnsNames;
    private final String subject;

    private Peer(List<X509Certificate> certificates, String spiffeId, List<String> dnsNames, String subject) {
        this.certificates = certificates;
        this.spiffeId = spiffeId;
        this.dnsNames = dnsNames;
        this.subject = subject;
    }

    /**
     * The caller of the gRPC call being served by the current thread (a service method, or a listener callback of a
     * streaming call); anonymous outside a gRPC call, or when the caller presented no certificate. HTTP handlers take
     * a {@code Peer} parameter instead.
     */
    public static Peer current() {
        Peer peer = CallPeer.KEY.get();
        return peer != null ? peer : ANONYMOUS;
    }

    /** A caller that presented no certificate. */
    public static Peer anonymous() {
        return ANONYMOUS;
    }

    /**
     * The peer that presented this chain, leaf first. The chain must already be verified (as a TLS handshake does);
     * an empty chain is {@linkplain #anonymous() anonymous}.
     */
    public static Peer of(List<X509Certificate> verifiedChain) {
        if (verifiedChain.isEmpty()) {
            return ANONYMOUS;
        }
        X509Certificate leaf = verifiedChain.get(0);
        String spiffe = null;
        List<String> dns = new ArrayList<>();
        try {
            Collection<List<?>> names = leaf.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> n : names) {
                    int type = (Integer) n.get(0);
                    String value = String.valueOf(n.get(1));
                    if (type == SAN_URI && spiffe == null && value.startsWith("spiffe://")) {
                        spiffe = value;
                    } else if (type == SAN_DNS) {
                        dns.add(value);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // a certificate the handshake accepted but whose SAN extension cannot be read: identified by its subject
        }
        return new Peer(List.copyOf(verifiedChain), spiffe, List.copyOf(dns),
                leaf.getSubjectX500Principal().getName());
    }

    /** Whether the caller presented a verified certificate. */
    public boolean authenticated() {
        return !certificates.isEmpty();
    }

    /** The SPIFFE ID, else the first DNS name, else the subject; empty when anonymous. */
    public Optional<String> identity() {
        if (spiffeId != null) {
            return Optional.of(spiffeId);
        }
        return !dnsNames.isEmpty() ? Optional.of(dnsNames.get(0)) : Optional.ofNullable(subject);
    }

    /** The SPIFFE ID ({@code spiffe://...} URI SAN) of the certificate, if it has one. */
    public Optional<String> spiffeId() {
        return Optional.ofNullable(spiffeId);
    }

    /** The DNS names (SANs) of the certificate; empty when anonymous or when it has none. */
    public List<String> dnsNames() {
        return dnsNames;
    }

    /** The certificate's subject (RFC 2253), if not anonymous. */
    public Optional<String> subject() {
        return Optional.ofNullable(subject);
    }

    /** The verified chain, leaf first; empty when anonymous. */
    public List<X509Certificate> certificates() {
        return certificates;
    }

    @Override
    public String toString() {
        return "Peer[" + identity().orElse("anonymous") + "]";
    }
}
