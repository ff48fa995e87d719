package dev.chassis.core.internal.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.chassis.core.config.Config;
import dev.chassis.core.config.ConfigException;

/**
 * What configuration says of one bundle: its files, protocols and reload interval, checked for consistency (not yet
 * read). Not API.
 *
 * @param name           the bundle's name
 * @param certificate    the PEM certificate chain, or null
 * @param privateKey     the PEM private key, or null
 * @param keystore       the PKCS#12 keystore, or null
 * @param password       the keystore's password (secret), or null
 * @param trust          the PEM CA certificates, or null
 * @param protocols      the TLS versions allowed
 * @param reloadInterval how often the files are checked; zero for never
 */
record BundleSpec(String name, Path certificate, Path privateKey, Path keystore, String password, Path trust,
                  List<String> protocols, Duration reloadInterval) {

    @Override
    public String toString() {
        return "BundleSpec[" + name + "]"; // never the password
    }

    /** The files this bundle reads, in a fixed order. */
    List<Path> files() {
        List<Path> files = new ArrayList<>();
        for (Path p : new Path[] {certificate, privateKey, keystore, trust}) {
            if (p != null) {
                files.add(p);
            }
        }
        return files;
    }

    /** Whether the bundle has a key and certificate to present. */
    boolean hasKey() {
        return certificate != null || keystore != null;
    }

    static BundleSpec of(Config config, String name) {
        String prefix = "tls.bundles." + name + ".";
        List<String> problems = new ArrayList<>();
        String certificate = config.get(TlsSettings.CERTIFICATE.resolve(name));
        String key = config.get(TlsSettings.PRIVATE_KEY.resolve(name));
        String keystore = config.get(TlsSettings.KEYSTORE.resolve(name));
        String password = config.get(TlsSettings.KEYSTORE_PASSWORD.resolve(name));
        String trust = config.get(TlsSettings.TRUST.resolve(name));
        List<String> protocols = config.get(TlsSettings.BUNDLE_PROTOCOLS.resolve(name));
        if (certificate != null && keystore != null) {
            problems.add(prefix + "certificate and " + prefix + "keystore are both set: use one of them");
        }
        if ((certificate == null) != (key == null)) {
            problems.add(certificate == null ? prefix + "private-key is set without " + prefix + "certificate"
                    : prefix + "certificate is set without " + prefix + "private-key");
        }
        if ((keystore == null) != (password == null)) {
            problems.add(keystore == null ? prefix + "keystore-password is set without " + prefix + "keystore"
                    : prefix + "keystore is set without " + prefix + "keystore-password");
        }
        if (certificate == null && keystore == null && trust == null) {
            problems.add("tls.bundles." + name + " has no material: set certificate and private-key, keystore and"
                    + " keystore-password, or trust");
        }
        if (protocols.isEmpty() || !TlsSettings.PROTOCOLS.containsAll(protocols)) {
            problems.add(prefix + "protocols = '" + String.join(",", protocols) + "' is not allowed: expected one or"
                    + " both of " + String.join(", ", TlsSettings.PROTOCOLS));
        }
        Duration reload = config.get(TlsSettings.RELOAD_INTERVAL.resolve(name));
        if (!reload.isZero() && reload.compareTo(Duration.ofMillis(100)) < 0) {
            // every check reads and hashes the files: a shorter interval only burns CPU
            problems.add(prefix + "reload-interval = " + reload + " is too short: 0 (off) or at least 100ms");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new BundleSpec(name, path(certificate), path(key), path(keystore), password, path(trust),
                List.copyOf(protocols), reload);
    }

    private static Path path(String file) {
        return file == null ? null : Path.of(file);
    }
}
