package dev.chassis.core.internal.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

import dev.chassis.core.config.Config;

/**
 * How a client reaches one target over TLS ({@code clients.<name>.tls.*}): the bundle's key is presented, the
 * server's chain is verified with the bundle's trust (the JDK's CAs when it names none), and the server is identified
 * by the host name dialled or, with {@code expected-identity}, by that SPIFFE ID or DNS name. The key and trust follow
 * the bundle's files when they are reloaded. Immutable. Not API.
 */
public final class TargetTls {
    private final String target;
    private final TlsBundle bundle;
    private final String expectedIdentity;
    private final X509ExtendedTrustManager trust;
    private final SSLContext context;

    private TargetTls(String target, TlsBundle bundle, String expectedIdentity) {
        this.target = target;
        this.bundle = bundle;
        this.expectedIdentity = expectedIdentity;
        X509ExtendedTrustManager base = bundle.ownTrust() != null ? bundle.ownTrust() : jdkTrust();
        this.trust = expectedIdentity == null ? base : new IdentityTrustManager(base, expectedIdentity,
                TlsSettings.CLIENT_EXPECTED_IDENTITY.resolve(target).key());
        try {
            this.context = SSLContext.getInstance("TLS");
            X509ExtendedKeyManager keys = bundle.keyManager();
            context.init(keys == null ? null : new KeyManager[] {keys}, new TrustManager[] {trust}, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a TLS context for the client of " + target, e);
        }
    }

    /** The TLS of the client of {@code target}, if {@code clients.<target>.tls.bundle} is set. */
    public static Optional<TargetTls> of(Config config, TlsBundles bundles, String target) {
        return config.find(TlsSettings.CLIENT_BUNDLE.resolve(target)).flatMap(bundles::find)
                .map(b -> new TargetTls(target, b, config.find(TlsSettings.CLIENT_EXPECTED_IDENTITY.resolve(target))
                        .orElse(null)));
    }

    /** The bundle's name. */
    public String bundleName() {
        return bundle.name();
    }

    /** The expected identity of the server, when it replaces the host-name check. */
    public Optional<String> expectedIdentity() {
        return Optional.ofNullable(expectedIdentity);
    }

    /** The context a client's handshakes use. */
    public SSLContext context() {
        return context;
    }

    /** The parameters of a client socket: the bundle's protocols and suites, and the host-name check unless replaced. */
    public SSLParameters parameters() {
        SSLParameters p = bundle.clientParameters();
        if (expectedIdentity != null) {
            p.setEndpointIdentificationAlgorithm(null);
        }
        return p;
    }

    /** The key manager presenting the bundle's certificate, or null when the bundle has none. */
    public KeyManager keyManager() {
        return bundle.keyManager();
    }

    /** The trust manager verifying the server: the chain, and the expected identity when one is set. */
    public TrustManager trustManager() {
        return trust;
    }

    /** The protocols allowed. */
    public List<String> protocols() {
        return bundle.protocols();
    }

    /** The cipher suites allowed. */
    public List<String> cipherSuites() {
        return bundle.cipherSuites();
    }

    private static X509ExtendedTrustManager jdkTrust() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            for (TrustManager tm : factory.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("the JDK's trust manager factory gave no X.509 trust manager");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the JDK's trusted CAs: " + e.getMessage(), e);
        }
    }
}
