package dev.chassis.core.internal.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager over one key and chain that can be replaced while handshakes run: each generation of material has
 * its own alias, and the previous generation stays readable, so a handshake that chose an alias just before a swap
 * still gets a matching key and chain. Thread-safe. Not API.
 */
final class SwitchingKeyManager extends X509ExtendedKeyManager {
    private final Map<String, TlsMaterial> byAlias = new ConcurrentHashMap<>();
    private volatile String current;
    private int generation;

    SwitchingKeyManager(TlsMaterial material) {
        use(material);
    }

    /** Makes {@code material} the one new handshakes present. */
    synchronized void use(TlsMaterial material) {
        String previous = current;
        String alias = "chassis-" + generation++;
        byAlias.put(alias, material);
        current = alias;
        byAlias.keySet().removeIf(a -> !a.equals(alias) && !a.equals(previous));
    }

    private String alias(String keyType) {
        String alias = current;
        TlsMaterial m = byAlias.get(alias);
        return m != null && fits(m.key().getAlgorithm(), keyType) ? alias : null;
    }

    private String alias(String[] keyTypes) {
        if (keyTypes == null) {
            return null;
        }
        for (String k : keyTypes) {
            String alias = alias(k);
            if (alias != null) {
                return alias;
            }
        }
        return null;
    }

    /** Whether a key of {@code algorithm} serves the TLS key type asked for ({@code RSA}, {@code EC}, {@code EdDSA}...). */
    private static boolean fits(String algorithm, String keyType) {
        if (keyType == null) {
            return false;
        }
        String type = keyType.contains("_") ? keyType.substring(0, keyType.indexOf('_')) : keyType;
        return type.equalsIgnoreCase(algorithm)
                || type.equals("EdDSA") && (algorithm.equals("Ed25519") || algorithm.equals("Ed448"));
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        String alias = alias(keyType);
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return alias(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return alias(keyTypes);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return alias(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return alias(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        TlsMaterial m = alias == null ? null : byAlias.get(alias);
        return m == null ? null : m.chain().toArray(new X509Certificate[0]);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        TlsMaterial m = alias == null ? null : byAlias.get(alias);
        return m == null ? null : m.key();
    }
}
