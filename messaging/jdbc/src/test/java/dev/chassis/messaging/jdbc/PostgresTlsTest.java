package dev.chassis.messaging.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.config.ConfigException;
import dev.chassis.testing.StartFailure;
import dev.chassis.testing.TestCertificates;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The data source over TLS ({@code datasource.tls.bundle}: {@code sslmode=verify-full} with a client certificate)
 * against a real PostgreSQL server started with {@code ssl=on} whose {@code pg_hba.conf} accepts TCP connections over
 * TLS only with the {@code cert} method (the client certificate's common name is the user).
 */
class PostgresTlsTest {
    private static Path dir;
    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void startPostgres() throws IOException {
        dir = Files.createTempDirectory("chassis-pg-tls-");
        TestCertificates ca = TestCertificates.authority("postgres test CA");
        ca.writePem(dir.resolve("ca.pem"));
        ca.issue("postgres server").dns("localhost").ip("127.0.0.1").create()
                .writePem(dir.resolve("server.pem"), dir.resolve("server.key"));
        Files.setPosixFilePermissions(dir.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
        ca.issue("postgres").create().writePem(dir.resolve("client.pem"), dir.resolve("client.key"));
        TestCertificates.authority("another CA").writePem(dir.resolve("other-ca.pem"));
        Files.writeString(dir.resolve("pg_hba.conf"), String.join("\n",
                "local all all trust",
                "hostssl all all 127.0.0.1/32 cert",
                "hostssl all all ::1/128 cert",
                // the harness's own connections (it waits for the server with one) are the only plaintext ones
                "hostnossl all all 127.0.0.1/32 trust",
                "hostnossl all all ::1/128 trust",
                ""));
        postgres = EmbeddedPostgres.builder()
                .setServerConfig("ssl", "on")
                .setServerConfig("ssl_cert_file", dir.resolve("server.pem").toString())
                .setServerConfig("ssl_key_file", dir.resolve("server.key").toString())
                .setServerConfig("ssl_ca_file", dir.resolve("ca.pem").toString())
                .setServerConfig("hba_file", dir.resolve("pg_hba.conf").toString())
                .setConnectConfig("sslmode", "disable")
                .start();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
    }

    private static String url() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
    }

    private static ServiceBuilder service(String name, String trust, boolean clientCertificate) {
        ServiceBuilder b = Chassis.service(name).property("server.port", "0")
                .property("datasource.url", url()).property("datasource.username", "postgres")
                .property("datasource.connection-timeout", "1s")
                .property("tls.bundles.db.trust", dir.resolve(trust).toString())
                .property("datasource.tls.bundle", "db");
        if (clientCertificate) {
            b.property("tls.bundles.db.certificate", dir.resolve("client.pem").toString())
                    .property("tls.bundles.db.private-key", dir.resolve("client.key").toString());
        }
        return b;
    }

    @Test
    void connectsOverTlsWithTheBundlesClientCertificate() throws Exception {
        ServiceBuilder b = service("pg-tls", "ca.pem", true);
        DataSource db = b.component(DataSource.class);
        RunningService s = b.start();
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select ssl, version, client_dn from pg_stat_ssl where pid = pg_backend_pid()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBoolean(1)).isTrue();
            assertThat(rs.getString(2)).isIn("TLSv1.3", "TLSv1.2");
            assertThat(rs.getString(3)).contains("CN=postgres");
        } finally {
            s.stop();
        }
    }

    @Test
    void aServerCertificateFromAnotherCaFailsStartUpNamingTheBundleAndTheServer() {
        RuntimeException e = StartFailure.of(service("pg-wrong-ca", "other-ca.pem", true));
        assertThat(e).hasMessageContaining("TLS handshake with the PostgreSQL server localhost:" + postgres.getPort()
                + " failed (bundle 'db')").hasMessageContaining("does not chain to the CAs of tls.bundles.db.trust");
    }

    @Test
    void withoutAClientCertificateStartUpFailsNamingTheBundleAndTheServer() {
        RuntimeException e = StartFailure.of(service("pg-no-cert", "ca.pem", false));
        assertThat(e).hasMessageContaining("TLS client authentication with the PostgreSQL server localhost:"
                + postgres.getPort() + " failed (bundle 'db')").hasMessageContaining("bundle 'db' has no certificate");
    }

    @Test
    void aUrlThatSetsItsOwnSslModeIsRefused() {
        RuntimeException e = StartFailure.of(service("pg-own-mode", "ca.pem", true)
                .property("datasource.url", url() + "?sslmode=require"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("datasource.url sets sslmode, and"
                + " datasource.tls.bundle = 'db' is set");
    }

    @Test
    void aBundleForH2IsRefused() {
        RuntimeException e = StartFailure.of(service("pg-h2", "ca.pem", true)
                .property("datasource.url", Databases.newH2("tls")));
        assertThat(e).isInstanceOf(ConfigException.class)
                .hasMessageContaining("datasource.tls.bundle = 'db' connects to PostgreSQL only");
    }
}
