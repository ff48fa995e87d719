package dev.chassis.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.chassis.core.Caller;
import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.Post;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;

/** Bearer tokens from a real OpenID Connect provider, verified on HTTP handlers, and the rules on them. */
class BearerHttpTest {
    private static final Provider PROVIDER = new Provider();
    private static final RunningService SERVICE = PROVIDER.trusted(Chassis.service("orders").http(new Orders()))
            .property("server.port", "0").start();
    private static final TestClient CLIENT = new TestClient(SERVICE.uri());

    /** Handlers with every kind of rule. */
    @Path("/orders")
    public static final class Orders {
        @Get("/me")
        @Authenticated
        public Map<String, Object> me(Caller caller) {
            return Map.of("subject", caller.subject().orElseThrow(), "issuer", caller.issuer().orElseThrow(),
                    "client", caller.clientId().orElse(""), "roles", caller.roles(), "scopes", caller.scopes(),
                    "current", Caller.current().subject().orElse("none"));
        }

        @Get("/open")
        public String open(Caller caller) {
            return caller.authenticated() ? "hello " + caller.subject().orElseThrow() : "hello stranger";
        }

        @Get("/admin")
        @RolesAllowed({"admin", "ops"})
        public String admin() {
            return "admin";
        }

        @Post
        @Scopes({"orders:write"})
        public String place() {
            return "placed";
        }
    }

    @AfterAll
    static void stop() {
        SERVICE.stop();
        PROVIDER.close();
    }

    private static TestResponse get(String path, String token) {
        return CLIENT.get(path, "Authorization", "Bearer " + token);
    }

    private static void assertInvalidToken(TestResponse r, String description) {
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(r.header("WWW-Authenticate")).contains("Bearer error=\"invalid_token\", error_description=\""
                + description + "\"");
        assertThat(r.json().get("detail").asText()).isEqualTo(description);
    }

    @Test
    void aValidTokenBecomesTheCaller() {
        String token = PROVIDER.token(Map.of("realm_access", Map.of("roles", List.of("admin")), "scope",
                "orders:read orders:write"));
        TestResponse r = get("/orders/me", token);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("subject").asText()).isEqualTo("alice");
        assertThat(r.json().get("issuer").asText()).isEqualTo(PROVIDER.issuer());
        assertThat(r.json().get("client").asText()).isEqualTo("shop-web");
        assertThat(r.json().get("current").asText()).isEqualTo("alice");
        assertThat(r.json().get("roles").toString()).contains("admin");
        assertThat(r.json().get("scopes").toString()).contains("orders:read", "orders:write");
        assertThat(get("/orders/admin", token).status()).isEqualTo(200);
        assertThat(CLIENT.post("/orders", "{}", "Authorization", "Bearer " + token).status()).isEqualTo(200);
        assertThat(get("/orders/open", token).body()).contains("hello alice");
    }

    @Test
    void withoutATokenAProtectedHandlerAnswers401WithABareChallenge() {
        TestResponse r = CLIENT.get("/orders/me");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).contains("Bearer");
        assertThat(CLIENT.get("/orders/open").body()).contains("hello stranger");
    }

    @Test
    void expiredNotYetValidWrongAudienceAndWrongIssuerAreRefused() {
        assertInvalidToken(get("/orders/me", PROVIDER.token(Provider.ISSUER_ID, Provider.AUDIENCE, Map.of(), -3600)),
                "the token has expired");
        long inAnHour = Instant.now().plus(Duration.ofHours(1)).getEpochSecond();
        assertInvalidToken(get("/orders/me", PROVIDER.token(Map.of("nbf", inAnHour))), "the token is not valid yet");
        assertInvalidToken(get("/orders/me", PROVIDER.token(Provider.ISSUER_ID, "another-api", Map.of(), 3600)),
                "the token is not meant for this service (aud)");
        assertInvalidToken(get("/orders/me", PROVIDER.token("elsewhere", Provider.AUDIENCE, Map.of(), 3600)),
                "the token's issuer is not accepted");
        // a refused token is refused on an open handler too: it is never silently taken as anonymous
        assertInvalidToken(get("/orders/open", PROVIDER.token(Provider.ISSUER_ID, Provider.AUDIENCE, Map.of(), -3600)),
                "the token has expired");
    }

    @Test
    void algNoneAndHmacWithThePublicKeyAreRefused() throws Exception {
        assertInvalidToken(get("/orders/me", PROVIDER.unsigned()), "the token is not a signed JWT");
        assertInvalidToken(get("/orders/me", PROVIDER.hmacWithThePublicKey()), "the token's algorithm HS256 is not accepted");
    }

    @Test
    void aTamperedSignatureIsRefusedAndTheTokenIsNeverEchoed() {
        String token = PROVIDER.token(Map.of());
        String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
        TestResponse r = get("/orders/me", tampered);
        assertInvalidToken(r, "the token's signature is not valid");
        assertThat(r.body()).doesNotContain(tampered.substring(0, 20));
        assertThat(r.header("WWW-Authenticate").orElseThrow()).doesNotContain(tampered.substring(0, 20));
    }

    @Test
    void malformedAuthorizationHeadersAreInvalidRequests() {
        String token = PROVIDER.token(Map.of());
        for (TestResponse r : List.of(CLIENT.get("/orders/open", "Authorization", token),
                CLIENT.get("/orders/open", "Authorization", "Bearer " + token + " " + token),
                CLIENT.get("/orders/open", "Authorization", "Bearer " + token, "Authorization", "Bearer " + token),
                CLIENT.get("/orders/open", "Authorization", "Bearer " + "x".repeat(10 * 1024)),
                CLIENT.get("/orders/open", "Authorization", "Bearer <script>"))) {
            assertThat(r.status()).as(r.body()).isEqualTo(401);
            assertThat(r.header("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                    .startsWith("Bearer error=\"invalid_request\", error_description=\""));
        }
    }

    @Test
    void aTokenInTheQueryStringIsIgnored() {
        String token = PROVIDER.token(Map.of());
        assertThat(CLIENT.get("/orders/me?access_token=" + token).status()).isEqualTo(401);
        assertThat(CLIENT.get("/orders/open?access_token=" + token).body()).contains("hello stranger");
    }

    @Test
    void aMissingRoleOrScopeAnswers403InsufficientScope() {
        String token = PROVIDER.token(Map.of("roles", List.of("clerk"), "scope", "orders:read"));
        TestResponse admin = get("/orders/admin", token);
        assertThat(admin.status()).isEqualTo(403);
        assertThat(admin.header("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("Bearer error=\"insufficient_scope\""));
        TestResponse place = CLIENT.post("/orders", "{}", "Authorization", "Bearer " + token);
        assertThat(place.status()).isEqualTo(403);
        assertThat(place.header("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .contains("error=\"insufficient_scope\"").contains("scope=\"orders:write\""));
        assertThat(place.json().get("detail").asText()).isEqualTo("the token lacks the scope orders:write");
        // roles from the groups claim count too (security.role-claims: roles, realm_access.roles, groups)
        assertThat(get("/orders/admin", PROVIDER.token(Map.of("groups", List.of("ops")))).status()).isEqualTo(200);
        // a role claim that is a string is one role: its words are not roles of their own
        assertThat(get("/orders/admin", PROVIDER.token(Map.of("roles", "not ops"))).status()).isEqualTo(403);
        assertThat(get("/orders/admin", PROVIDER.token(Map.of("roles", "ops"))).status()).isEqualTo(200);
    }

    @Test
    void readinessReportsTheIssuerKeys() {
        TestClient management = new TestClient(SERVICE.uri());
        Eventually.within(Duration.ofSeconds(10)).untilAsserted(() -> {
            TestResponse r = management.get("/health/ready");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("security");
        });
    }
}
