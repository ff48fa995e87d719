package dev.chassis.core.internal.tls;

import java.time.Duration;
import java.util.List;

import dev.chassis.core.config.Setting;

/** The configuration keys of named TLS material ({@code tls.bundles.<name>.*}) and of the server's TLS. Not API. */
public final class TlsSettings {
    /** The protocols a bundle may allow. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    public static final Setting<String> CERTIFICATE = Setting.string("tls.bundles.*.certificate", null)
            .describedAs("PEM file with the certificate chain, leaf first (with private-key; or use keystore)");
    public static final Setting<String> PRIVATE_KEY = Setting.string("tls.bundles.*.private-key", null)
            .describedAs("PEM file with the unencrypted private key: PKCS#8 (BEGIN PRIVATE KEY) or PKCS#1 RSA");
    public static final Setting<String> KEYSTORE = Setting.string("tls.bundles.*.keystore", null)
            .describedAs("PKCS#12 file with one private key and its certificate chain (instead of certificate and"
                    + " private-key)");
    public static final Setting<String> KEYSTORE_PASSWORD = Setting.string("tls.bundles.*.keystore-password", null)
            .secret().describedAs("the password of the PKCS#12 keystore; never shown");
    public static final Setting<String> TRUST = Setting.string("tls.bundles.*.trust", null)
            .describedAs("PEM file with the CA certificates that peers' certificates must chain to");
    public static final Setting<List<String>> BUNDLE_PROTOCOLS = Setting.list("tls.bundles.*.protocols", PROTOCOLS)
            .describedAs("the TLS versions allowed: TLSv1.3 and/or TLSv1.2");
    public static final Setting<Duration> RELOAD_INTERVAL = Setting.duration("tls.bundles.*.reload-interval",
            Duration.ofSeconds(10)).describedAs("how often the bundle's files are checked for a change and reloaded;"
            + " at least 100ms, or 0 to turn reloading off");

    public static final Setting<String> SERVER_BUNDLE = Setting.string("server.tls.bundle", null)
            .describedAs("the tls.bundles name the service port serves HTTPS (HTTP/1.1, HTTP/2, gRPC) with; unset:"
                    + " plaintext");
    public static final Setting<ClientAuth> SERVER_CLIENT_AUTH = Setting.oneOf("server.tls.client-auth",
            ClientAuth.class, ClientAuth.NONE).describedAs("whether clients must present a certificate that chains"
            + " to the bundle's trust (mutual TLS)");
    public static final Setting<Duration> SERVER_HANDSHAKE_TIMEOUT = Setting.duration("server.tls.handshake-timeout",
            Duration.ofSeconds(10)).min(1).describedAs("how long a TLS connection may take to complete its handshake"
            + " and send its first request; then it is closed (and counted as a handshake failure)");
    public static final Setting<String> CLIENT_BUNDLE = Setting.string("clients.*.tls.bundle", null)
            .describedAs("the tls.bundles name a client presents (its key) and verifies the target with (its trust);"
                    + " the target's URLs must then be https://");
    public static final Setting<String> CLIENT_EXPECTED_IDENTITY = Setting.string("clients.*.tls.expected-identity",
            null).describedAs("the identity the target's certificate must have (a spiffe:// ID or a DNS name), checked"
            + " instead of the host name; needs clients.<name>.tls.bundle");
    public static final Setting<String> MANAGEMENT_BUNDLE = Setting.string("management.tls.bundle", null)
            .describedAs("the tls.bundles name the management port serves HTTPS with; unset: plaintext");
    public static final Setting<ClientAuth> MANAGEMENT_CLIENT_AUTH = Setting.oneOf("management.tls.client-auth",
            ClientAuth.class, ClientAuth.NONE).describedAs("whether clients of the management port must present a"
            + " certificate that chains to the management bundle's trust (mutual TLS); the service port is apart");

    /** Whether a server asks for client certificates. */
    public enum ClientAuth {
        /** No client certificate is asked for. */
        NONE,
        /** A client certificate is asked for; a client without one is served, one with an untrusted one refused. */
        OPTIONAL,
        /** A client without a trusted certificate is refused at the handshake. */
        REQUIRED
    }

    private TlsSettings() {
    }

    /** Every TLS key, in the order the docs show them. */
    public static List<Setting<?>> all() {
        return List.of(CERTIFICATE, PRIVATE_KEY, KEYSTORE, KEYSTORE_PASSWORD, TRUST, BUNDLE_PROTOCOLS, RELOAD_INTERVAL,
                SERVER_BUNDLE, SERVER_CLIENT_AUTH, SERVER_HANDSHAKE_TIMEOUT, CLIENT_BUNDLE, CLIENT_EXPECTED_IDENTITY,
                MANAGEMENT_BUNDLE, MANAGEMENT_CLIENT_AUTH);
    }
}
