package dev.chassis.tests.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.config.ConfigException;
import dev.chassis.testing.StartFailure;
import dev.chassis.testing.TestClient;

/** {@code management.tls.bundle}: the management port serves HTTPS with its own bundle; the service port is apart. */
class ManagementTlsTest {
    private static final Pki PKI = new Pki();
    private static final Path[] FILES = PKI.write("ops", PKI.server("ops"));
    private static final RunningService SERVICE = Chassis.service("ops").property("server.port", "0")
            .property("management.port", "0")
            .property("management.tls.bundle", "ops")
            .property("tls.bundles.ops.certificate", FILES[0].toString())
            .property("tls.bundles.ops.private-key", FILES[1].toString())
            .start();

    @AfterAll
    static void stop() {
        SERVICE.stop();
    }

    @Test
    void theManagementPortServesHttpsWithItsBundle() throws Exception {
        assertThat(SERVICE.managementUri().getScheme()).isEqualTo("https");
        assertThat(Pki.cn(Pki.handshake(PKI.ca.clientContext(), SERVICE.managementPort()))).isEqualTo("CN=ops");
        HttpClient client = HttpClient.newBuilder().sslContext(PKI.ca.clientContext())
                .connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> ready = client.send(HttpRequest.newBuilder(SERVICE.managementUri().resolve("/health/ready"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"status\":\"UP\"");
    }

    @Test
    void theServicePortStaysPlaintext() {
        assertThat(SERVICE.uri().getScheme()).isEqualTo("http");
        assertThat(new TestClient(SERVICE.uri()).get("/health/ready").status()).isEqualTo(404);
    }

    @Test
    void aClientThatDoesNotTrustTheCaIsRefused() {
        HttpClient client = HttpClient.newBuilder().sslContext(PKI.otherCa.clientContext())
                .connectTimeout(Duration.ofSeconds(10)).build();
        assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(SERVICE.managementUri().resolve("/health/ready"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aManagementBundleWithoutAKeyFailsStartUp() {
        assertThat(StartFailure.of(Chassis.service("keyless").property("management.port", "0")
                .property("management.tls.bundle", "trust-only")
                .property("tls.bundles.trust-only.trust", PKI.caFile.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("management.tls.bundle = 'trust-only' has no key to serve with");
    }
}
