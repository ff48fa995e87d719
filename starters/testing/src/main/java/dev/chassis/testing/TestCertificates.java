package dev.chassis.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority for tests: a CA, and server and client certificates it signs with the names chosen
 * (DNS, IP, SPIFFE URI) and the validity chosen (expired and not yet valid ones too), written as the PEM and PKCS#12
 * files {@code tls.bundles.<name>.*} reads, and as {@link SSLContext}s for test clients.
 *
 * <pre>{@code
 * TestCertificates ca = TestCertificates.authority("test CA");
 * TestCertificates.Issued server = ca.issue("orders").dns("localhost").ip("127.0.0.1").spiffe("spiffe://test/orders").create();
 * Path dir = ...;
 * ca.writePem(dir.resolve("ca.pem"));
 * server.writePem(dir.resolve("orders.pem"), dir.resolve("orders.key"));
 * }</pre>
 * Keys are EC P-256. Instances are thread-safe.
 */
public final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final X500Name name;
    private final KeyPair keys;
    private final X509Certificate certificate;

    private TestCertificates(X500Name name, KeyPair keys, X509Certificate certificate) {
        this.name = name;
        this.keys = keys;
        this.certificate = certificate;
    }

    /** A new self-signed CA valid from an hour ago for a year. */
    public static TestCertificates authority(String commonName) {
        X500Name name = new X500Name("CN=" + Objects.requireNonNull(commonName, "commonName"));
        KeyPair keys = keyPair();
        Instant now = Instant.now();
        X509Certificate certificate = sign(name, keys, name, keys.getPublic(), now.minus(Duration.ofHours(1)),
                now.plus(Duration.ofDays(365)), true, List.of());
        return new TestCertificates(name, keys, certificate);
    }

    /** The CA's certificate. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** Starts a certificate signed by this CA, with the given common name. */
    public Request issue(String commonName) {
        return new Request(Objects.requireNonNull(commonName, "commonName"));
    }

    /** Writes the CA certificate as PEM (the file {@code tls.bundles.<name>.trust} names). */
    public Path writePem(Path file) {
        return write(file, pem("CERTIFICATE", encoded(certificate)));
    }

    /** A client context that trusts this CA and presents no certificate. */
    public SSLContext clientContext() {
        return context(null);
    }

    /** A context that trusts this CA and presents {@code own} (for mutual TLS). */
    public SSLContext clientContext(Issued own) {
        return context(own);
    }

    private SSLContext context(Issued own) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (own != null) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(own.keyStore("secret"), "secret".toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a test TLS context", e);
        }
    }

    /** What a certificate will hold; {@link #create()} signs it. */
    public final class Request {
        private final String commonName;
        private final List<GeneralName> names = new ArrayList<>();
        private Instant notBefore = Instant.now().minus(Duration.ofHours(1));
        private Instant notAfter = Instant.now().plus(Duration.ofDays(30));

        private Request(String commonName) {
            this.commonName = commonName;
        }

        /** Adds a DNS subject alternative name. */
        public Request dns(String host) {
            names.add(new GeneralName(GeneralName.dNSName, host));
            return this;
        }

        /** Adds an IP address subject alternative name. */
        public Request ip(String address) {
            try {
                byte[] bytes = InetAddress.getByName(address).getAddress();
                names.add(new GeneralName(GeneralName.iPAddress, new DEROctetString(bytes)));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IP address: " + address, e);
            }
            return this;
        }

        /** Adds a URI subject alternative name, such as a SPIFFE ID {@code spiffe://trust-domain/path}. */
        public Request spiffe(String uri) {
            names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
            return this;
        }

        /** The validity period; by default from an hour ago for 30 days. Past or future periods make expired or not-yet-valid certificates. */
        public Request valid(Instant from, Instant until) {
            this.notBefore = Objects.requireNonNull(from, "from");
            this.notAfter = Objects.requireNonNull(until, "until");
            return this;
        }

        /** Signs the certificate, with a new key pair. */
        public Issued create() {
            KeyPair pair = keyPair();
            X509Certificate cert = sign(name, keys, new X500Name("CN=" + commonName), pair.getPublic(), notBefore,
                    notAfter, false, names);
            return new Issued(cert, pair.getPrivate(), certificate);
        }
    }

    /**
     * A certificate this CA signed, with its private key.
     *
     * @param certificate the certificate
     * @param privateKey  its private key
     * @param issuer      the CA's certificate
     */
    public record Issued(X509Certificate certificate, PrivateKey privateKey, X509Certificate issuer) {

        /** Writes the certificate (PEM chain: it, then the CA) and the private key (PEM PKCS#8). */
        public void writePem(Path certificateFile, Path keyFile) {
            write(certificateFile, pem("CERTIFICATE", encoded(certificate)) + pem("CERTIFICATE", encoded(issuer)));
            write(keyFile, pem("PRIVATE KEY", privateKey.getEncoded()));
        }

        /** Writes a PKCS#12 keystore with the key and chain under the given password. */
        public Path writePkcs12(Path file, String password) {
            try (OutputStream out = Files.newOutputStream(file)) {
                keyStore(password).store(out, password.toCharArray());
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        KeyStore keyStore(String password) throws GeneralSecurityException, IOException {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("key", privateKey, password.toCharArray(), new X509Certificate[] {certificate, issuer});
            return store;
        }
    }

    private static X509Certificate sign(X500Name issuer, KeyPair issuerKeys, X500Name subject,
                                        PublicKey publicKey, Instant from, Instant until, boolean ca,
                                        List<GeneralName> names) {
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(from), Date.from(until), subject, publicKey);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(publicKey));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    utils.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
            if (ca) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
                if (!names.isEmpty()) {
                    builder.addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(names.toArray(new GeneralName[0])));
                }
            }
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IllegalStateException("cannot sign a test certificate", e);
        }
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 is missing from this JDK", e);
        }
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static Path write(Path file, String text) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            // written beside and moved into place, as cert-manager and Vault agent do: a reader never sees half a file
            Path tmp = Files.createTempFile(parent, ".tmp-", ".pem");
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
