package dev.chassis.tests.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Chassis;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.testing.Conformance;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.StartFailure;
import dev.chassis.testing.TestResponse;
import dev.chassis.testing.TestService;

/** {@code management.port}: health, metrics, traces and info on a second port; the service port answers 404 for them. */
class ManagementPortTest {
    @RegisterExtension
    static final TestService managed = TestService.of(() -> Chassis.service("managed").http(new Hello())
            .property("management.port", "0")
            .property("management.host", "127.0.0.1"));

    @RegisterExtension
    static final TestService plain = TestService.of(() -> Chassis.service("plain").http(new Hello()));

    /** A greeting. */
    @Path("/hello")
    public static final class Hello {
        @Get
        public String hello() {
            return "hello";
        }
    }

    @Test
    void theManagementPortIsASecondPort() {
        assertThat(managed.running().managementPort()).isPositive().isNotEqualTo(managed.port());
        assertThat(managed.managementUri().toString()).isEqualTo("http://localhost:" + managed.running().managementPort());
    }

    @Test
    void theServicePortAnswers404ProblemsForManagementPaths() {
        for (String path : new String[] {"/health/ready", "/health/live", "/health", "/metrics", "/info",
                "/observe/traces"}) {
            TestResponse r = managed.client().get(path);
            assertThat(r.status()).as(path).isEqualTo(404);
            assertThat(r.header("Content-Type")).as(path).contains("application/problem+json");
            assertThat(r.json().get("detail").asText()).as(path).contains(path);
        }
        assertThat(managed.client().get("/hello").status()).isEqualTo(200);
    }

    @Test
    void theManagementPortServesThemAndNothingElse() {
        assertThat(managed.managementClient().get("/health/ready").status()).isEqualTo(200);
        assertThat(managed.managementClient().get("/info").json().get("name").asText()).isEqualTo("managed");
        TestResponse metrics = managed.managementClient().get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(managed.managementClient().get("/observe/traces").status()).isEqualTo(200);
        TestResponse hello = managed.managementClient().get("/hello");
        assertThat(hello.status()).isEqualTo(404);
        assertThat(hello.header("Content-Type")).contains("application/problem+json");
        TestResponse delete = managed.managementClient().delete("/health/live");
        assertThat(delete.status()).isEqualTo(405);
        assertThat(delete.header("Allow")).hasValueSatisfying(a -> assertThat(a).contains("GET"));
    }

    @Test
    void probesAndScrapesAreNotCountedAsTheServicesTraffic() {
        assertThat(managed.client().get("/hello").status()).isEqualTo(200);
        assertThat(managed.managementClient().get("/health/ready").status()).isEqualTo(200);
        // waited for: a request's duration is recorded just after its answer
        String metrics = Eventually.within(Duration.ofSeconds(10)).get("/hello counted",
                () -> managed.managementClient().get("/metrics").body(), m -> m.contains("http_route=\"/hello\""));
        assertThat(metrics).contains("http_route=\"/hello\"").doesNotContain("http_route=\"/health/ready\"")
                .doesNotContain("http_route=\"/metrics\"");
    }

    @Test
    void theConformanceKitChecksBothPorts() {
        Conformance.of(managed.running()).withoutGrpc().check();
    }

    @Test
    void withoutAManagementPortEverythingStaysOnTheServicePort() {
        assertThat(plain.running().managementPort()).isEqualTo(plain.port());
        assertThat(plain.managementUri()).isEqualTo(plain.uri());
        assertThat(plain.client().get("/health/ready").status()).isEqualTo(200);
        assertThat(plain.client().get("/metrics").status()).isEqualTo(200);
        assertThat(plain.client().get("/info").status()).isEqualTo(200);
        assertThat(plain.client().get("/hello").status()).isEqualTo(200);
        Conformance.of(plain.running()).withoutGrpc().check();
    }

    @Test
    void theServicePortAsManagementPortFailsStartUp() throws IOException {
        try (ServerSocket taken = new ServerSocket(0)) {
            // the port is held: a start-up that got as far as binding would fail with "cannot listen" instead
            String port = Integer.toString(taken.getLocalPort());
            assertThatThrownBy(() -> Chassis.service("same").property("server.port", port)
                    .property("management.port", port).start())
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("management.port = " + port)
                    .hasMessageContaining("is also server.port");
        }
    }

    @Test
    void managementKeysWithoutAManagementPortFailStartUp() {
        assertThat(StartFailure.of(Chassis.service("host").property("management.host", "127.0.0.1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("management.host is set but management.port is not");
        assertThat(StartFailure.of(Chassis.service("tls").property("management.tls.bundle", "ops")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("management.tls.bundle is set but management.port is not");
    }

    @Test
    void aManagementPortOutOfRangeFailsStartUp() {
        assertThat(StartFailure.of(Chassis.service("range").property("management.port", "70000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("management.port");
    }

    @Test
    void aManagementBundleThatDoesNotExistFailsStartUp() {
        assertThat(StartFailure.of(Chassis.service("nobundle").property("management.port", "0")
                .property("management.tls.bundle", "ops")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("management.tls.bundle = 'ops'")
                .hasMessageContaining("names no bundle under tls.bundles");
    }
}
