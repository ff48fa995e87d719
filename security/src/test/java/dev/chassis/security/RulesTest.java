package dev.chassis.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.http.BindingException;
import dev.chassis.core.http.Get;
import dev.chassis.testing.StartFailure;
import dev.chassis.testing.TestCertificates;
import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;

/** Deny by default, workload rules over mutual TLS, and the misuses that stop start-up. */
class RulesTest {
    /** One open handler, one without a rule. */
    @dev.chassis.core.http.Path("/") // CHECKSTYLE:FQN-OK
    public static final class Shop {
        @Get("/catalog")
        @PermitAll
        public String catalog() {
            return "catalog";
        }

        @Get("/basket")
        public String basket() {
            return "basket";
        }
    }

    /** Only the orders workload may reserve. */
    @dev.chassis.core.http.Path("/reserve") // CHECKSTYLE:FQN-OK
    @Workloads("spiffe://example.org/ns/shop/sa/*")
    public static final class Reserve {
        @Get
        public String reserve() {
            return "reserved";
        }
    }

    /** Conflicting rules. */
    public static final class Conflicting {
        @Get("/x")
        @PermitAll
        @RolesAllowed("admin")
        public String x() {
            return "x";
        }
    }

    /** No scopes listed. */
    public static final class NoScopes {
        @Get("/y")
        @Scopes({})
        public String y() {
            return "y";
        }
    }

    @Test
    void denyByDefaultLeavesPermitAllAndManagementOpen() {
        try (Provider provider = new Provider()) {
            RunningService service = provider.trusted(Chassis.service("shop").http(new Shop()))
                    .property("server.port", "0").property("security.default", "authenticated").start();
            try {
                TestClient client = new TestClient(service.uri());
                assertThat(client.get("/catalog").status()).isEqualTo(200);
                assertThat(client.get("/basket").status()).isEqualTo(401);
                assertThat(client.get("/health/live").status()).isEqualTo(200);
                assertThat(client.get("/basket", "Authorization", "Bearer " + provider.token(Map.of())).status())
                        .isEqualTo(200);
            } finally {
                service.stop();
            }
        }
    }

    @Test
    void withoutAnIssuerAMethodNeedingATokenRefusesEveryCallOutsideProductionMode() {
        RunningService service = Chassis.service("shop").http(new Shop()).property("server.port", "0")
                .property("security.default", "authenticated").start();
        try {
            TestClient client = new TestClient(service.uri());
            assertThat(client.get("/catalog").status()).isEqualTo(200);
            TestResponse refused = client.get("/basket", "Authorization", "Bearer a.b.c");
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.header("WWW-Authenticate")).contains("Bearer");
            assertThat(refused.json().get("detail").asText()).contains("trusts no token issuer yet (security.issuers");
            assertThat(client.get("/basket").status()).isEqualTo(401);
        } finally {
            service.stop();
        }
    }

    @Test
    void aWorkloadRuleAdmitsOnlyThatWorkload() throws Exception {
        TestCertificates ca = TestCertificates.authority("shop CA");
        Path dir = Files.createTempDirectory("chassis-security-");
        TestCertificates.Issued server = ca.issue("inventory").dns("localhost").ip("127.0.0.1").create();
        server.writePem(dir.resolve("server.pem"), dir.resolve("server.key"));
        RunningService service = Chassis.service("inventory").http(new Reserve()).property("server.port", "0")
                .property("server.tls.bundle", "server")
                .property("tls.bundles.server.certificate", dir.resolve("server.pem").toString())
                .property("tls.bundles.server.private-key", dir.resolve("server.key").toString())
                .property("tls.bundles.server.trust", ca.writePem(dir.resolve("ca.pem")).toString())
                .property("server.tls.client-auth", "optional").start();
        try {
            assertThat(call(service, ca.clientContext(ca.issue("orders")
                    .spiffe("spiffe://example.org/ns/shop/sa/orders").create()))).isEqualTo(200);
            assertThat(call(service, ca.clientContext(ca.issue("billing")
                    .spiffe("spiffe://example.org/ns/other/sa/billing").create()))).isEqualTo(403);
            assertThat(call(service, ca.clientContext())).isEqualTo(401);
        } finally {
            service.stop();
        }
    }

    private static int call(RunningService service, SSLContext context) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(10)).build();
        return client.send(HttpRequest.newBuilder(service.uri().resolve("/reserve")).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void misusesStopStartUpNamingTheMethodAndTheFix() {
        assertThat(StartFailure.of(Chassis.service("bad").http(new Conflicting())
                .property("security.issuers.a.issuer", "https://issuer.example.test").property("security.issuers.a.audience", "x")))
                .isInstanceOf(BindingException.class).hasMessageContaining("Conflicting.x()")
                .hasMessageContaining("Fix: keep either");
        assertThat(StartFailure.of(Chassis.service("bad").http(new NoScopes())
                .property("security.issuers.a.issuer", "https://issuer.example.test").property("security.issuers.a.audience", "x")))
                .isInstanceOf(BindingException.class).hasMessageContaining("NoScopes.y()")
                .hasMessageContaining("lists no scopes");
        assertThat(StartFailure.of(Chassis.service("bad").http(new Shop()).property("security.default", "authenticated")
                .property("production.enabled", "true")))
                .isInstanceOf(BindingException.class).hasMessageContaining("no token issuer is configured (production mode)")
                .hasMessageContaining("Fix: set security.issuers.<name>.issuer");
        assertThat(StartFailure.of(Chassis.service("bad").property("security.issuers.a.issuer", "https://i.test")
                .property("security.issuers.a.audience", "x")
                .property("security.issuers.a.algorithms", "RS256, HS256")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("security.issuers.a.algorithms lists 'HS256'");
        // no Ed25519 verifier here: listing EdDSA stops start-up rather than refusing every such token as "not valid"
        assertThat(StartFailure.of(Chassis.service("bad").property("security.issuers.a.issuer", "https://i.test")
                .property("security.issuers.a.audience", "x")
                .property("security.issuers.a.algorithms", "ES256, EdDSA")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("lists 'EdDSA': EdDSA (Ed25519) tokens cannot");
        assertThat(StartFailure.of(Chassis.service("bad").property("security.issuers.a.issuer", "https://i.test")
                .property("security.issuers.a.audience", "x")
                .property("security.rpc.shop-inventory.reserve.workloads", "spiffe://x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("security.rpc.shop-inventory.reserve names no gRPC method");
        assertThat(StartFailure.of(Chassis.service("bad").property("security.issuers.a.issuer", "https://i.test")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("security.issuers.a.audience is empty");
        assertThat(StartFailure.of(Chassis.service("bad").property("security.issuers.a.issuer", "http://login.example.com")
                .property("security.issuers.a.audience", "x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is not https");
        assertThat(StartFailure.of(Chassis.service("bad").property("security.issuers.a.issuer", "https://i.test")
                .property("security.issuers.a.audience", "x").property("security.issuers.a.jwks-url", "http://10.0.0.1/k")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("security.issuers.a.jwks-url: the JWKS");
        // the escape hatch, for a private network: the same http issuer passes the URL check, and start-up goes on to
        // what is next (here, the rule conflict)
        assertThat(StartFailure.of(Chassis.service("bad").http(new Conflicting())
                .property("security.issuers.a.issuer", "http://login.example.com").property("security.issuers.a.audience", "x")
                .property("security.allow-insecure-http", "true")))
                .isInstanceOf(BindingException.class).hasMessageContaining("Conflicting.x()");
        assertThat(StartFailure.of(Chassis.service("bad").property("security.issuers.a.issuer", "not a url")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("security.issuers.a.issuer");
    }
}
