package dev.chassis.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;

import dev.chassis.core.Caller;
import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;

/**
 * Key rotation and a JWKS endpoint that fails. mock-oauth2-server keeps one key per issuer and cannot publish a
 * second one beside it, so this test serves the JWKS itself (a JDK HTTP server whose key set the test changes) and
 * signs tokens with those keys; the service's clock is the test's, so the refresh interval passes exactly when the
 * test says.
 */
class KeyRotationTest {
    private static final String ISSUER = "https://issuer.example.test";

    private final MutableClock clock = new MutableClock();
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile List<JWK> published = List.of();
    private volatile boolean down;
    private volatile boolean stalls;
    /** Lets a stalled answer end when the test does. */
    private final CountDownLatch released = new CountDownLatch(1);
    private HttpServer jwks;
    private RunningService service;

    /** One handler needing a token. */
    @Path("/me")
    public static final class Me {
        @Get
        @Authenticated
        public String me(Caller caller) {
            return caller.subject().orElseThrow();
        }
    }

    @AfterEach
    void stop() {
        released.countDown();
        if (service != null) {
            service.stop();
        }
        jwks.stop(0);
    }

    private void serveJwks() throws IOException {
        jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwks.createContext("/jwks", exchange -> {
            fetches.incrementAndGet();
            if (stalls) { // headers, one byte of the document, then nothing until the test ends
                exchange.sendResponseHeaders(200, 0);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write('{');
                    out.flush();
                    released.await(); // the rest never comes while the test runs
                } catch (IOException | InterruptedException gone) {
                    // the service gave up on us, or the test ended
                }
                return;
            }
            byte[] body = new JWKSet(published).toString(true).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(down ? 503 : 200, down ? -1 : body.length);
            if (!down) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        jwks.setExecutor(Executors.newVirtualThreadPerTaskExecutor()); // a stalled answer holds no other
        jwks.start();
    }

    private RunningService start() {
        return Chassis.service("rotating").http(new Me()).clock(clock).property("server.port", "0")
                .property("security.issuers.own.issuer", ISSUER).property("security.issuers.own.audience", "rotating")
                .property("security.issuers.own.jwks-url", "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks")
                .property("security.jwks-refresh-min-interval", "30s").start();
    }

    private static RSAKey key(String kid) throws Exception {
        return new RSAKeyGenerator(2048).keyID(kid).generate();
    }

    private static String token(RSAKey key) throws Exception {
        return token(key, null);
    }

    private static String token(RSAKey key, String typ) throws Exception {
        Instant now = Instant.now();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                .type(typ == null ? null : new JOSEObjectType(typ)).build(),
                new JWTClaimsSet.Builder().issuer(ISSUER).audience("rotating").subject("bob-" + key.getKeyID()).issueTime(Date.from(now))
                        .expirationTime(Date.from(now.plus(Duration.ofHours(1)))).build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private TestResponse me(String token) {
        return new TestClient(service.uri()).get("/me", "Authorization", "Bearer " + token);
    }

    private TestResponse ready() {
        return new TestClient(service.uri()).get("/health/ready");
    }

    /** A JWKS endpoint that sends its headers and then stalls is given up on within the fetch timeout. */
    @Test
    void aJwksEndpointThatStallsIsGivenUpOnWithinTheFetchTimeout() throws Exception {
        stalls = true;
        serveJwks();
        service = Chassis.service("rotating").http(new Me()).clock(clock).property("server.port", "0")
                .property("security.issuers.own.issuer", ISSUER).property("security.issuers.own.audience", "rotating")
                .property("security.issuers.own.jwks-url", "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks")
                .property("security.fetch-timeout", "1s").start();
        Eventually.within(Duration.ofSeconds(20)).until("readiness names the stalled fetch", () -> {
            TestResponse r = ready();
            return r.status() == 503 && r.body().contains("did not send its document within 1000 ms");
        });
    }

    /** A logout token or a security event token of the same issuer grants nothing: only access tokens do. */
    @Test
    void onlyTokensTypedAsAccessTokensAreAccepted() throws Exception {
        RSAKey key = key("k1");
        published = List.of(key.toPublicJWK());
        serveJwks();
        service = start();
        Eventually.within(Duration.ofSeconds(10)).until("the first fetch", () -> ready().status() == 200);
        for (String typ : List.of("JWT", "at+jwt", "application/at+jwt")) {
            assertThat(me(token(key, typ)).status()).as("typ %s", typ).isEqualTo(200);
        }
        assertThat(me(token(key)).status()).as("no typ").isEqualTo(200);
        for (String typ : List.of("logout+jwt", "secevent+jwt", "dpop+jwt")) {
            TestResponse r = me(token(key, typ));
            assertThat(r.status()).as("typ %s", typ).isEqualTo(401);
            assertThat(r.header("WWW-Authenticate").orElseThrow()).contains("not an access token's");
        }
    }

    @Test
    void anUnknownKidFetchesAgainAtMostOncePerIntervalAndCachedKeysOutliveAnOutage() throws Exception {
        RSAKey first = key("k1");
        RSAKey second = key("k2");
        RSAKey third = key("k3");
        published = List.of(first.toPublicJWK());
        serveJwks();
        service = start();
        Eventually.within(Duration.ofSeconds(10)).until("the first fetch", () -> ready().status() == 200);
        int afterStart = fetches.get();
        assertThat(me(token(first)).body()).isEqualTo("\"bob-k1\"");

        published = List.of(first.toPublicJWK(), second.toPublicJWK()); // the issuer rotates
        clock.advance(Duration.ofSeconds(31));
        assertThat(me(token(second)).body()).isEqualTo("\"bob-k2\"");
        assertThat(fetches.get()).isEqualTo(afterStart + 1);

        // within the interval, unknown keys fetch nothing: a flood of made-up kids costs the issuer nothing
        for (int i = 0; i < 3; i++) {
            TestResponse r = me(token(third));
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.header("WWW-Authenticate").orElseThrow()).contains("the token's signing key is unknown");
        }
        assertThat(fetches.get()).isEqualTo(afterStart + 1);

        down = true; // the JWKS endpoint fails: cached keys keep working, the failed fetch is reported
        clock.advance(Duration.ofSeconds(31));
        assertThat(me(token(third)).status()).isEqualTo(401);
        assertThat(fetches.get()).isEqualTo(afterStart + 2);
        assertThat(me(token(first)).body()).isEqualTo("\"bob-k1\"");
        assertThat(me(token(second)).body()).isEqualTo("\"bob-k2\"");
        TestResponse health = ready();
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).contains("cached keys in use; last fetch failed").contains("answered 503");
    }

    @Test
    void withNoKeysAtAllRequestsFailClosedAndReadinessSaysWhy() throws Exception {
        RSAKey first = key("k1");
        published = List.of(first.toPublicJWK());
        down = true;
        serveJwks();
        service = start();
        Eventually.within(Duration.ofSeconds(10)).until("the first fetch", () -> fetches.get() > 0);
        TestResponse r = me(token(first));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate").orElseThrow()).contains("the issuer's keys are not available");
        Eventually.within(Duration.ofSeconds(10)).untilAsserted(() -> {
            TestResponse health = ready();
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.body()).contains("issuer own has no signing keys").contains("answered 503");
        });

        down = false; // the endpoint recovers: the next request after the interval fetches the keys
        clock.advance(Duration.ofSeconds(31));
        assertThat(me(token(first)).body()).isEqualTo("\"bob-k1\"");
        assertThat(ready().status()).isEqualTo(200);
    }

    @Test
    void aDiscoveryDocumentNamingAJwksUriThatIsNotAUrlKeepsReadinessDownSayingWhy() throws Exception {
        serveJwks();
        String issuer = "http://127.0.0.1:" + jwks.getAddress().getPort();
        jwks.createContext("/.well-known/openid-configuration", exchange -> {
            byte[] body = ("{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"http://127.0.0.1/a key set\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        service = Chassis.service("rotating").http(new Me()).clock(clock).property("server.port", "0")
                .property("security.issuers.own.issuer", issuer).property("security.issuers.own.audience", "rotating")
                .start();
        Eventually.within(Duration.ofSeconds(10)).untilAsserted(() -> {
            TestResponse health = ready();
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.body()).contains("names a jwks_uri that is not a URL");
        });
        // the request path meets the same document: a refusal naming the keys, not a failure of the server
        TestResponse r = me(token(key("k1")));
        assertThat(r.status()).isEqualTo(401);
    }
}
