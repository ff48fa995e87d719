package dev.chassis.tests.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.config.ConfigException;
import dev.chassis.testing.StartFailure;
import dev.chassis.testing.TestCertificates;

/** Bad certificates, keys and files stop start-up before the port opens, naming the bundle, the file and why. */
class BadTlsMaterialTest {
    private final Pki pki = new Pki();

    private ServiceBuilder service(TestCertificates.Issued issued) {
        return pki.serving(Chassis.service("bad").http(new ServerTlsTest.Hello()), issued);
    }

    private static RuntimeException failure(ServiceBuilder service) {
        RuntimeException e = StartFailure.of(service);
        assertThat(e).isInstanceOf(ConfigException.class);
        return e;
    }

    @Test
    void anExpiredCertificate() {
        Instant now = Instant.now();
        RuntimeException e = failure(service(pki.ca.issue("old").dns("localhost")
                .valid(now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1))).create()));
        assertThat(e).hasMessageContaining("TLS bundle 'server'").hasMessageContaining(pki.dir.resolve("server.pem")
                .toString()).hasMessageContaining("tls.bundles.server.certificate").hasMessageContaining("expired at");
    }

    @Test
    void aCertificateNotYetValid() {
        Instant now = Instant.now();
        RuntimeException e = failure(service(pki.ca.issue("early").valid(now.plus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(10))).create()));
        assertThat(e).hasMessageContaining("TLS bundle 'server'").hasMessageContaining("is not valid before");
    }

    @Test
    void aKeyThatDoesNotMatchTheCertificate() {
        ServiceBuilder service = service(pki.server("mismatch"));
        TestCertificates.Issued other = pki.server("other");
        Path[] files = pki.write("other", other);
        service.property("tls.bundles.server.private-key", files[1].toString());
        assertThat(failure(service)).hasMessageContaining(files[1].toString())
                .hasMessageContaining("tls.bundles.server.private-key")
                .hasMessageContaining("the private key does not match the certificate CN=mismatch");
    }

    @Test
    void aReloadIntervalThatWouldSpin() {
        assertThat(failure(service(pki.server("spin")).property("tls.bundles.server.reload-interval", "5ms")))
                .hasMessageContaining("tls.bundles.server.reload-interval = PT0.005S is too short");
    }

    @Test
    void aMissingFile() {
        ServiceBuilder service = service(pki.server("s")).property("tls.bundles.server.trust",
                pki.dir.resolve("nowhere.pem").toString());
        assertThat(failure(service)).hasMessageContaining("nowhere.pem (tls.bundles.server.trust): the file does not"
                + " exist");
    }

    @Test
    void garbageInAPem() throws Exception {
        ServiceBuilder service = service(pki.server("s"));
        Files.writeString(pki.dir.resolve("server.pem"), "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n"
                + "-----END CERTIFICATE-----\n");
        assertThat(failure(service)).hasMessageContaining("server.pem (tls.bundles.server.certificate)")
                .hasMessageContaining("not an X.509 certificate");
        Files.writeString(pki.dir.resolve("server.pem"), "hello");
        assertThat(failure(service)).hasMessageContaining("no PEM block found");
    }

    @Test
    void aWrongKeystorePasswordIsNamedButNeverShown() {
        Path p12 = pki.server("p12").writePkcs12(pki.dir.resolve("s.p12"), "right-password");
        ServiceBuilder service = Chassis.service("bad").http(new ServerTlsTest.Hello())
                .property("server.tls.bundle", "p12").property("tls.bundles.p12.keystore", p12.toString())
                .property("tls.bundles.p12.keystore-password", "Wr0ng-Passw0rd");
        assertThat(failure(service)).hasMessageContaining("TLS bundle 'p12'").hasMessageContaining(p12.toString())
                .hasMessageContaining("wrong password (tls.bundles.p12.keystore-password)")
                .hasMessageNotContaining("Wr0ng-Passw0rd").hasMessageNotContaining("right-password");
    }

    @Test
    void aServerBundleThatDoesNotExist() {
        ServiceBuilder service = service(pki.server("s")).property("server.tls.bundle", "srever");
        assertThat(failure(service)).hasMessageContaining("server.tls.bundle = 'srever'")
                .hasMessageContaining("Did you mean server?");
    }

    @Test
    void inconsistentSettings() {
        ServiceBuilder service = service(pki.server("s")).property("tls.bundles.server.keystore", "x.p12")
                .property("tls.bundles.server.protocols", "TLSv1.1");
        assertThat(failure(service)).hasMessageContaining("certificate and tls.bundles.server.keystore are both set")
                .hasMessageContaining("keystore is set without tls.bundles.server.keystore-password")
                .hasMessageContaining("protocols = 'TLSv1.1' is not allowed");
    }

    @Test
    void clientAuthWithoutTrust() {
        Path[] files = pki.write("s", pki.server("s"));
        ServiceBuilder service = Chassis.service("bad").http(new ServerTlsTest.Hello())
                .property("server.tls.bundle", "s").property("server.tls.client-auth", "required")
                .property("tls.bundles.s.certificate", files[0].toString())
                .property("tls.bundles.s.private-key", files[1].toString());
        assertThat(failure(service)).hasMessageContaining("needs the CAs client certificates must chain to: set"
                + " tls.bundles.s.trust");
    }
}
