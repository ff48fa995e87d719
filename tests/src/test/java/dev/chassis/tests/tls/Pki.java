package dev.chassis.tests.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import dev.chassis.core.ServiceBuilder;
import dev.chassis.testing.TestCertificates;

/** Certificates written to a temporary directory, and the settings that serve them. */
final class Pki {
    final TestCertificates ca = TestCertificates.authority("chassis test CA");
    final TestCertificates otherCa = TestCertificates.authority("another CA");
    final Path dir;
    final Path caFile;

    Pki() {
        try {
            dir = Files.createTempDirectory("chassis-tls-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        caFile = ca.writePem(dir.resolve("ca.pem"));
    }

    /** A server certificate for localhost and 127.0.0.1. */
    TestCertificates.Issued server(String commonName) {
        return ca.issue(commonName).dns("localhost").ip("127.0.0.1").spiffe("spiffe://test/" + commonName).create();
    }

    /** Writes {@code issued} as {@code <name>.pem} and {@code <name>.key}. */
    Path[] write(String name, TestCertificates.Issued issued) {
        Path cert = dir.resolve(name + ".pem");
        Path key = dir.resolve(name + ".key");
        issued.writePem(cert, key);
        return new Path[] {cert, key};
    }

    /** A service serving TLS with bundle {@code server}, from PEM files, trusting the CA for client certificates. */
    ServiceBuilder serving(ServiceBuilder service, TestCertificates.Issued issued) {
        Path[] files = write("server", issued);
        return service.property("server.port", "0")
                .property("server.tls.bundle", "server")
                .property("tls.bundles.server.certificate", files[0].toString())
                .property("tls.bundles.server.private-key", files[1].toString())
                .property("tls.bundles.server.trust", caFile.toString())
                .property("tls.bundles.server.reload-interval", "100ms");
    }

    /** The leaf certificate a fresh TLS handshake with the server sees. */
    static X509Certificate handshake(SSLContext client, int port) throws IOException {
        try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("localhost", port)) {
            socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    static String cn(X509Certificate certificate) {
        return List.of(certificate.getSubjectX500Principal().getName().split(",")).get(0);
    }
}
