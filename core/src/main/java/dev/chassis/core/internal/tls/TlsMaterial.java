package dev.chassis.core.internal.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One bundle's material as read at one moment: the key and its chain (when the bundle has them) and the trusted CA
 * certificates, checked: every certificate valid now, the key matching the leaf certificate. Immutable. Not API.
 *
 * @param chain       the certificate chain, leaf first; empty without key material
 * @param key         the private key, or null
 * @param trust       the trusted CA certificates; empty when the bundle names none
 * @param fingerprint a digest of every file's content, to tell a change
 */
record TlsMaterial(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> trust, String fingerprint) {

    /** A file that could not be used: the file, the setting that names it, and the reason. */
    static final class BadFileException extends Exception {
        private static final long serialVersionUID = 1L;

        BadFileException(Path file, String setting, String reason) {
            super(file + " (" + setting + "): " + reason, null, false, false);
        }
    }

    /** The current content of the bundle's files, by file. */
    static Map<Path, byte[]> read(BundleSpec spec) throws BadFileException {
        Map<Path, byte[]> content = new LinkedHashMap<>();
        for (Path file : spec.files()) {
            try {
                content.put(file, Files.readAllBytes(file));
            } catch (IOException | SecurityException e) {
                String reason = Files.notExists(file) ? "the file does not exist"
                        : Files.isDirectory(file) ? "it is a directory, not a file"
                        : "the file cannot be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
                throw new BadFileException(file, setting(spec, file), reason);
            }
        }
        return content;
    }

    /** A digest of the files' content. */
    static String fingerprint(Map<Path, byte[]> content) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            content.forEach((file, bytes) -> {
                digest.update(file.toString().getBytes(StandardCharsets.UTF_8));
                digest.update(bytes);
            });
            return HexFormat.of().formatHex(digest.digest());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** Parses and checks the files' content at {@code now}. */
    static TlsMaterial parse(BundleSpec spec, Map<Path, byte[]> content, Instant now) throws BadFileException {
        List<X509Certificate> chain = List.of();
        PrivateKey key = null;
        Path keyFile = null;
        if (spec.certificate() != null) {
            chain = certificates(spec, spec.certificate(), content);
            keyFile = spec.privateKey();
            try {
                key = Pem.privateKey(content.get(keyFile));
            } catch (IllegalArgumentException e) {
                throw new BadFileException(keyFile, setting(spec, keyFile), e.getMessage());
            }
        } else if (spec.keystore() != null) {
            keyFile = spec.keystore();
            KeyEntry entry = keystore(spec, content.get(keyFile));
            chain = entry.chain();
            key = entry.key();
        }
        if (key != null) {
            checkValid(spec, spec.certificate() != null ? spec.certificate() : keyFile, chain, now);
            if (!matches(key, chain.get(0).getPublicKey())) {
                throw new BadFileException(keyFile, setting(spec, keyFile), "the private key does not match the"
                        + " certificate " + chain.get(0).getSubjectX500Principal().getName());
            }
        }
        List<X509Certificate> trust = List.of();
        if (spec.trust() != null) {
            trust = certificates(spec, spec.trust(), content);
            checkValid(spec, spec.trust(), trust, now);
        }
        return new TlsMaterial(chain, key, trust, fingerprint(content));
    }

    /** The leaf certificate's subject and expiry, for log lines; no secret. */
    String describe() {
        if (chain.isEmpty()) {
            return trust.size() + " trusted CA certificate(s)";
        }
        return "certificate " + chain.get(0).getSubjectX500Principal().getName() + " valid until "
                + chain.get(0).getNotAfter().toInstant();
    }

    private record KeyEntry(PrivateKey key, List<X509Certificate> chain) {
    }

    private static KeyEntry keystore(BundleSpec spec, byte[] bytes) throws BadFileException {
        String setting = setting(spec, spec.keystore());
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            char[] password = spec.password().toCharArray();
            store.load(new ByteArrayInputStream(bytes), password);
            List<String> aliases = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    aliases.add(alias);
                }
            }
            if (aliases.size() != 1) {
                throw new BadFileException(spec.keystore(), setting, "expected one private key entry, but found "
                        + aliases.size());
            }
            Key key = store.getKey(aliases.get(0), password);
            Certificate[] certificates = store.getCertificateChain(aliases.get(0));
            if (!(key instanceof PrivateKey privateKey) || certificates == null || certificates.length == 0) {
                throw new BadFileException(spec.keystore(), setting, "the key entry has no certificate chain");
            }
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : certificates) {
                chain.add((X509Certificate) c);
            }
            return new KeyEntry(privateKey, List.copyOf(chain));
        } catch (IOException e) {
            boolean password = e.getCause() instanceof UnrecoverableKeyException
                    || String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("password");
            throw new BadFileException(spec.keystore(), setting, password
                    ? "wrong password (tls.bundles." + spec.name() + ".keystore-password)"
                    : "not a PKCS#12 keystore (" + e.getMessage() + ")");
        } catch (UnrecoverableKeyException e) {
            throw new BadFileException(spec.keystore(), setting, "wrong password (tls.bundles." + spec.name()
                    + ".keystore-password)");
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new BadFileException(spec.keystore(), setting, "not a usable PKCS#12 keystore ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static List<X509Certificate> certificates(BundleSpec spec, Path file, Map<Path, byte[]> content)
            throws BadFileException {
        try {
            return List.copyOf(Pem.certificates(content.get(file)));
        } catch (IllegalArgumentException e) {
            throw new BadFileException(file, setting(spec, file), e.getMessage());
        }
    }

    private static void checkValid(BundleSpec spec, Path file, List<X509Certificate> certificates, Instant now)
            throws BadFileException {
        for (X509Certificate c : certificates) {
            try {
                c.checkValidity(Date.from(now));
            } catch (CertificateExpiredException e) {
                throw new BadFileException(file, setting(spec, file), "the certificate "
                        + c.getSubjectX500Principal().getName() + " expired at " + c.getNotAfter().toInstant());
            } catch (CertificateNotYetValidException e) {
                throw new BadFileException(file, setting(spec, file), "the certificate "
                        + c.getSubjectX500Principal().getName() + " is not valid before " + c.getNotBefore().toInstant());
            }
        }
    }

    /** Whether the private key belongs to the public key: a signature made with one verifies with the other. */
    private static boolean matches(PrivateKey key, PublicKey publicKey) {
        if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> key.getAlgorithm(); // Ed25519, Ed448, EdDSA
        };
        try {
            byte[] probe = "chassis".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                signer.setParameter(new PSSParameterSpec("SHA-256", "MGF1",
                        MGF1ParameterSpec.SHA256, 32, 1));
            }
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            signer.initVerify(publicKey);
            signer.update(probe);
            return signer.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String setting(BundleSpec spec, Path file) {
        String prefix = "tls.bundles." + spec.name() + ".";
        if (file.equals(spec.certificate())) {
            return prefix + "certificate";
        }
        if (file.equals(spec.privateKey())) {
            return prefix + "private-key";
        }
        if (file.equals(spec.keystore())) {
            return prefix + "keystore";
        }
        return prefix + "trust";
    }
}
