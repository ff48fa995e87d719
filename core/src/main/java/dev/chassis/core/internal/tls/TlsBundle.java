package dev.chassis.core.internal.tls;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

import dev.chassis.core.config.ConfigException;
import dev.chassis.core.spi.ClientTls;

/**
 * One named bundle of TLS material and the {@link SSLContext} built on it. The context stays the same for the
 * bundle's life; its key and trust managers switch to new material when {@link #reloadIfChanged()} finds the files
 * changed, so new handshakes see the new certificate and connections already open are not touched. Thread-safe.
 * Not API.
 */
public final class TlsBundle implements ClientTls {
    private static final System.Logger LOG = System.getLogger(TlsBundle.class.getName());
    /** AEAD suites with forward secrecy only: TLS 1.3's three, and TLS 1.2's ECDHE with AES-GCM or ChaCha20. */
    private static final List<String> STRONG_SUITES = List.of(
            "TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private final BundleSpec spec;
    private final SSLContext context;
    private final SwitchingKeyManager keys;
    private final SwitchingTrustManager trust;
    private final String[] suites;
    private volatile TlsMaterial material;
    private volatile String lastFailure;

    private TlsBundle(BundleSpec spec, TlsMaterial material) {
        this.spec = spec;
        this.material = material;
        this.keys = material.key() != null ? new SwitchingKeyManager(material) : null;
        this.trust = spec.trust() != null ? new SwitchingTrustManager(material) : null;
        try {
            this.context = SSLContext.getInstance("TLS");
            // without a trust file, peers are checked against the JDK's default CAs
            context.init(keys == null ? null : new KeyManager[] {keys}, trust == null ? null : new TrustManager[] {trust},
                    null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a TLS context for bundle " + spec.name(), e);
        }
        Set<String> supported = Set.of(context.getSupportedSSLParameters().getCipherSuites());
        this.suites = STRONG_SUITES.stream().filter(supported::contains).toArray(String[]::new);
    }

    /**
     * Reads and checks the bundle's files.
     *
     * @throws ConfigException naming the bundle, the file, the setting and the reason
     */
    static TlsBundle load(BundleSpec spec) {
        try {
            Map<Path, byte[]> content = TlsMaterial.read(spec);
            return new TlsBundle(spec, TlsMaterial.parse(spec, content, Instant.now()));
        } catch (TlsMaterial.BadFileException e) {
            throw new ConfigException(List.of("TLS bundle '" + spec.name() + "': " + e.getMessage()));
        }
    }

    /** The bundle's name. */
    @Override
    public String name() {
        return spec.name();
    }

    /** The context handshakes use; its material follows the files. */
    @Override
    public SSLContext context() {
        return context;
    }

    /** Whether the bundle has a key and certificate to present. */
    @Override
    public boolean hasKey() {
        return keys != null;
    }

    /** The key manager that follows the files, or null without key material. */
    X509ExtendedKeyManager keyManager() {
        return keys;
    }

    /** The trust manager that follows the files, or null when the bundle names no CAs (the JDK's are used). */
    X509ExtendedTrustManager ownTrust() {
        return trust;
    }

    /** Whether the bundle names its own trusted CAs (else the JDK's defaults are used). */
    public boolean hasTrust() {
        return trust != null;
    }

    /** The parameters a server socket uses: the bundle's protocols, strong suites only, and client authentication. */
    public SSLParameters serverParameters(TlsSettings.ClientAuth clientAuth) {
        SSLParameters p = new SSLParameters(suites, spec.protocols().toArray(new String[0]));
        p.setUseCipherSuitesOrder(true);
        if (clientAuth == TlsSettings.ClientAuth.REQUIRED) {
            p.setNeedClientAuth(true);
        } else if (clientAuth == TlsSettings.ClientAuth.OPTIONAL) {
            p.setWantClientAuth(true);
        }
        return p;
    }

    /** The parameters a client socket uses: the bundle's protocols and strong suites, verifying the host name. */
    public SSLParameters clientParameters() {
        SSLParameters p = new SSLParameters(suites, spec.protocols().toArray(new String[0]));
        p.setEndpointIdentificationAlgorithm("HTTPS");
        return p;
    }

    @Override
    public SSLParameters parameters() {
        return clientParameters();
    }

    @Override
    public X509TrustManager trustManager() {
        if (trust != null) {
            return trust;
        }
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            for (TrustManager m : factory.getTrustManagers()) {
                if (m instanceof X509TrustManager x509) {
                    return x509;
                }
            }
            throw new IllegalStateException("the JDK has no X.509 trust manager");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's trust manager cannot be created", e);
        }
    }

    @Override
    public String handshakeFailure(String peer, Throwable failure) {
        return HandshakeMessages.describe(spec.name(), hasKey(), peer, failure);
    }

    /** The protocols allowed. */
    public List<String> protocols() {
        return spec.protocols();
    }

    /** The strong cipher suites allowed, in preference order. */
    public List<String> cipherSuites() {
        return Arrays.asList(suites.clone());
    }

    /** How often the files are checked; zero for never. */
    Duration reloadInterval() {
        return spec.reloadInterval();
    }

    /**
     * Reads the files again and, when their content changed and the new material is good, switches to it. A change
     * that is not good (a key that does not match yet while a rotation writes the files one by one, an expired
     * certificate) keeps the current material and is logged once per distinct content.
     *
     * @return whether the material was switched
     */
    public boolean reloadIfChanged() {
        Map<Path, byte[]> content;
        try {
            content = TlsMaterial.read(spec);
        } catch (TlsMaterial.BadFileException e) {
            failed(e.getMessage(), e.getMessage());
            return false;
        }
        String fingerprint = TlsMaterial.fingerprint(content);
        if (fingerprint.equals(material.fingerprint())) {
            return false;
        }
        TlsMaterial next;
        try {
            next = TlsMaterial.parse(spec, content, Instant.now());
        } catch (TlsMaterial.BadFileException e) {
            failed(fingerprint, e.getMessage());
            return false;
        }
        if (keys != null) {
            keys.use(next);
        }
        if (trust != null) {
            trust.use(next);
        }
        material = next;
        lastFailure = null;
        LOG.log(Level.INFO, "TLS bundle ''{0}'' reloaded: {1}", spec.name(), next.describe());
        return true;
    }

    private void failed(String key, String reason) {
        if (!key.equals(lastFailure)) {
            lastFailure = key;
            LOG.log(Level.WARNING, "TLS bundle ''{0}'' not reloaded, still serving the previous material: {1}",
                    spec.name(), reason);
        }
    }

    /** What the bundle currently holds, for log lines; no secret. */
    public String describe() {
        return material.describe();
    }
}
