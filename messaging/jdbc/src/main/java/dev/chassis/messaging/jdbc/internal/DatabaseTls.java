package dev.chassis.messaging.jdbc.internal;

import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.SSLException;

import com.zaxxer.hikari.HikariConfig;

import dev.chassis.core.config.ConfigException;
import dev.chassis.core.spi.ClientTls;

/**
 * {@code datasource.tls.bundle}: a PostgreSQL data source over TLS with the bundle's certificate, verifying the
 * server's certificate and host name ({@code sslmode=verify-full}). Not API.
 */
final class DatabaseTls {
    /** Driver parameters Chassis sets itself when a bundle is named; the URL must not set them too. */
    private static final List<String> OWN = List.of("ssl", "sslmode", "sslfactory", "sslfactoryarg", "sslcert", "sslkey",
            "sslrootcert", "sslpassword", "sslhostnameverifier");

    /** SQLSTATE 28000, invalid authorization specification. */
    private static final String INVALID_AUTHORIZATION = "28000";

    private final ClientTls tls;
    private final String peer;
    private final String token;

    private DatabaseTls(ClientTls tls, String peer) {
        this.tls = tls;
        this.peer = peer;
        this.token = BundleSocketFactory.register(tls);
    }

    /**
     * Sets up {@code hikari} to connect to {@code url} with {@code tls}.
     *
     * @throws ConfigException when the URL is not PostgreSQL's or sets TLS parameters of its own
     */
    static DatabaseTls configure(ClientTls tls, String setting, String url, HikariConfig hikari) {
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new ConfigException(List.of(setting + " = '" + tls.name() + "' connects to PostgreSQL only, but"
                    + " datasource.url is " + url.substring(0, Math.min(url.length(), url.indexOf(':', 5) + 1))
                    + "..."));
        }
        int query = url.indexOf('?');
        if (query >= 0) {
            for (String parameter : url.substring(query + 1).split("&")) {
                String name = parameter.split("=", 2)[0].toLowerCase(Locale.ROOT);
                if (OWN.contains(name)) {
                    throw new ConfigException(List.of("datasource.url sets " + name + ", and " + setting + " = '"
                            + tls.name() + "' is set: with a bundle Chassis sets sslmode=verify-full and the"
                            + " certificates itself; remove " + name + " from the URL"));
                }
            }
        }
        DatabaseTls databaseTls = new DatabaseTls(tls, "the PostgreSQL server " + server(url));
        hikari.addDataSourceProperty("ssl", "true");
        hikari.addDataSourceProperty("sslmode", "verify-full");
        hikari.addDataSourceProperty("sslfactory", BundleSocketFactory.class.getName());
        hikari.addDataSourceProperty(BundleSocketFactory.PROPERTY, databaseTls.token);
        return databaseTls;
    }

    /** host:port of a {@code jdbc:postgresql://host:port/db?...} URL. */
    private static String server(String url) {
        String rest = url.substring("jdbc:postgresql:".length());
        if (!rest.startsWith("//")) {
            return "localhost";
        }
        rest = rest.substring(2);
        int end = rest.length();
        for (char c : new char[] {'/', '?'}) {
            int i = rest.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        return rest.substring(0, end);
    }

    /**
     * A message naming the bundle and the server when {@code failure} is a TLS one, or the server refusing the client
     * certificate (or its absence: PostgreSQL checks it after the handshake); null otherwise.
     */
    String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return tls.handshakeFailure(peer, failure);
            }
            if (t instanceof SQLException sql && INVALID_AUTHORIZATION.equals(sql.getSQLState())
                    && String.valueOf(sql.getMessage()).contains("certificate")) {
                return "TLS client authentication with " + peer + " failed (bundle '" + tls.name() + "'): "
                        + sql.getMessage() + "; " + (tls.hasKey() ? "the server does not accept the certificate of"
                        + " bundle '" + tls.name() + "' (does its CA trust it? does its common name match the user?)"
                        : "bundle '" + tls.name() + "' has no certificate: set tls.bundles." + tls.name()
                        + ".certificate and private-key (or keystore)");
            }
        }
        return null;
    }

    /** Forgets the bundle, once the data source is closed. */
    void close() {
        BundleSocketFactory.unregister(token);
    }
}
