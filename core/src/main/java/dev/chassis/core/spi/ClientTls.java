package dev.chassis.core.spi;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509TrustManager;

/**
 * A named TLS bundle ({@code tls.bundles.<name>}) as an extension uses it to open connections to a back-end (a
 * broker, a database, a registry, a collector): the client certificate it presents, if the bundle has one, and the
 * CAs the back-end's certificate must chain to. Obtained with {@link ExtensionContext#tls}. The context's material
 * follows the bundle's files when they are rotated: new handshakes use the new certificate. Thread-safe.
 */
public interface ClientTls {
    /** The bundle's name, for messages. */
    String name();

    /** The context to create sockets or engines with; its key and trust material follow the bundle's files. */
    SSLContext context();

    /**
     * The parameters of a client connection: the bundle's protocols (TLS 1.3, 1.2), its strong cipher suites, and
     * host name verification ({@code HTTPS} endpoint identification). A new copy on every call.
     */
    SSLParameters parameters();

    /** The trust manager that checks the back-end's certificate: the bundle's {@code trust}, else the JDK's CAs. */
    X509TrustManager trustManager();

    /** Whether the bundle has a certificate and key to present (mutual TLS). */
    boolean hasKey();

    /**
     * A message for a handshake with {@code peer} that failed: the bundle, the peer and the TLS reason found in
     * {@code failure}'s causes, with a hint when the reason is a known one (an untrusted certificate, no client
     * certificate).
     */
    String handshakeFailure(String peer, Throwable failure);
}
