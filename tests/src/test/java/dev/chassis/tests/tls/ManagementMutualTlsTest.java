package dev.chassis.tests.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.config.ConfigException;
import dev.chassis.testing.StartFailure;
import dev.chassis.testing.TestCertificates;

/**
 * {@code management.tls.client-auth}: the management port asks for client certificates of its bundle's CA, while the
 * service port (TLS without client certificates here) serves everyone as before.
 */
class ManagementMutualTlsTest {
    private static final Pki PKI = new Pki();
    private static final Path[] OPS = PKI.write("ops", PKI.server("ops"));
    private static final RunningService SERVICE = withManagementBundle(PKI.serving(Chassis.service("ops"),
            PKI.server("ops")).property("management.port", "0"), OPS, PKI.caFile)
            .property("management.tls.client-auth", "required").start();

    @AfterAll
    static void stop() {
        SERVICE.stop();
    }

    private static ServiceBuilder withManagementBundle(ServiceBuilder service, Path[] files, Path trust) {
        service.property("management.tls.bundle", "ops")
                .property("tls.bundles.ops.certificate", files[0].toString())
                .property("tls.bundles.ops.private-key", files[1].toString());
        return trust == null ? service : service.property("tls.bundles.ops.trust", trust.toString());
    }

    private static HttpResponse<String> get(SSLContext context, URI uri) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(10)).build();
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aClientWithACertificateFromTheCaIsServed() throws Exception {
        SSLContext prometheus = PKI.ca.clientContext(PKI.ca.issue("prometheus").spiffe("spiffe://ops/prometheus")
                .create());
        HttpResponse<String> ready = get(prometheus, SERVICE.managementUri().resolve("/health/ready"));
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"status\":\"UP\"");
        assertThat(get(prometheus, SERVICE.managementUri().resolve("/metrics")).statusCode()).isEqualTo(200);
    }

    @Test
    void aClientWithoutACertificateIsRefusedAtTheHandshake() {
        assertThatThrownBy(() -> get(PKI.ca.clientContext(), SERVICE.managementUri().resolve("/health/ready")))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aCertificateFromAnotherCaIsRefusedAtTheHandshake() {
        TestCertificates.Issued stranger = PKI.otherCa.issue("stranger").create();
        // it trusts our CA (it can verify the server), but its own certificate chains to another CA
        SSLContext context = PKI.ca.clientContext(new TestCertificates.Issued(stranger.certificate(),
                stranger.privateKey(), stranger.issuer()));
        assertThatThrownBy(() -> get(context, SERVICE.managementUri().resolve("/health/ready")))
                .isInstanceOf(IOException.class);
    }

    @Test
    void theServicePortStillServesClientsWithoutACertificate() throws Exception {
        HttpResponse<String> r = get(PKI.ca.clientContext(), SERVICE.uri().resolve("/health/ready"));
        assertThat(SERVICE.uri().getScheme()).isEqualTo("https");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("content-type")).contains("application/problem+json");
    }

    @Test
    void optionalServesClientsWithAndWithoutACertificate() throws Exception {
        Pki pki = new Pki();
        RunningService optional = withManagementBundle(Chassis.service("optional").property("server.port", "0")
                .property("management.port", "0"), pki.write("ops", pki.server("ops")), pki.caFile)
                .property("management.tls.client-auth", "optional").start();
        try {
            URI ready = optional.managementUri().resolve("/health/ready");
            assertThat(get(pki.ca.clientContext(), ready).statusCode()).isEqualTo(200);
            assertThat(get(pki.ca.clientContext(pki.ca.issue("known").create()), ready).statusCode()).isEqualTo(200);
        } finally {
            optional.stop();
        }
    }

    @Test
    void requiredWithoutATrustBundleFailsStartUp() {
        assertThat(StartFailure.of(withManagementBundle(Chassis.service("trustless").property("management.port", "0"),
                OPS, null).property("management.tls.client-auth", "required")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("management.tls.client-auth = required needs the CAs client certificates must"
                        + " chain to: set tls.bundles.ops.trust");
    }

    @Test
    void clientAuthWithoutAManagementBundleOrPortFailsStartUp() {
        assertThat(StartFailure.of(Chassis.service("plain").property("management.port", "0")
                .property("management.tls.client-auth", "required")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("management.tls.client-auth is set but management.tls.bundle is not");
        assertThat(StartFailure.of(Chassis.service("portless").property("management.tls.client-auth", "optional")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("management.tls.client-auth is set but management.port is not");
    }

    @Test
    void aValueThatIsNotAModeFailsStartUp() {
        assertThat(StartFailure.of(withManagementBundle(Chassis.service("typo").property("management.port", "0"),
                OPS, PKI.caFile).property("management.tls.client-auth", "mandatory")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("management.tls.client-auth");
    }
}
