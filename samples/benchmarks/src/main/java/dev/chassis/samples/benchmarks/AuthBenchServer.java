package dev.chassis.samples.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.http.Get;
import dev.chassis.security.Authenticated;
import dev.chassis.security.PermitAll;
import io.helidon.webserver.WebServer;

/**
 * What bearer authentication costs (issue 17), measured pairwise against the same handler open:
 * <ul>
 * <li>{@code GET /open} ({@code @PermitAll}, called without a token) on {@code port};</li>
 * <li>{@code GET /secured} ({@code @Authenticated}, called with a valid RS256 token) on {@code port}, whose
 * verified-token cache is on (the default);</li>
 * <li>the same {@code GET /secured} on {@code port + 1}, a second service in the process with
 * {@code security.token-cache.size: 0}: every request verifies the signature.</li>
 * </ul>
 * The issuer's JWKS is served by a hand-written Helidon server on {@code port + 2}; the token (valid for a day,
 * audience {@code bench}) is written to the file given as the second argument.
 *
 * <p>Usage: {@code java -cp ... dev.chassis.samples.benchmarks.AuthBenchServer PORT TOKEN_FILE}; prints
 * {@code READY <port>} once both services serve.
 */
public final class AuthBenchServer {
    private AuthBenchServer() {
    }

    /** The two endpoints under test: the same handler, open and behind authentication. */
    @dev.chassis.core.http.Path("/") // CHECKSTYLE:FQN-OK
    public static final class Endpoints {
        /** Everyone. */
        @PermitAll
        @Get("/open")
        public Greeting open() {
            return Greeting.HELLO;
        }

        /** A verified bearer token. */
        @Authenticated
        @Get("/secured")
        public Greeting secured() {
            return Greeting.HELLO;
        }
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path tokenFile = Path.of(args[1]);
        RSAKey key = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
        String jwks = new JWKSet(key.toPublicJWK()).toString();
        WebServer keys = WebServer.builder().port(port + 2).host("127.0.0.1")
                .routing(r -> r.get("/jwks", (req, res) -> res.header("Content-Type", "application/json").send(jwks)))
                .build().start();
        String issuer = "http://127.0.0.1:" + (port + 2);
        SignedJWT token = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), new JWTClaimsSet.Builder().issuer(issuer).subject("bench-user")
                .audience(List.of("bench")).issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(86_400)))
                .claim("scope", "orders:read").build());
        token.sign(new RSASSASigner(key));
        Files.writeString(tokenFile, token.serialize(), StandardCharsets.US_ASCII);

        RunningService cached = start(port, issuer, "10000");
        RunningService uncached = start(port + 1, issuer, "0");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cached.stop();
            uncached.stop();
            keys.stop();
        }));
        System.out.println("READY " + port);
    }

    private static RunningService start(int port, String issuer, String cacheSize) {
        return Chassis.service("auth-bench").property("server.port", Integer.toString(port))
                .property("server.host", "127.0.0.1")
                .property("security.issuers.bench.issuer", issuer)
                .property("security.issuers.bench.jwks-url", issuer + "/jwks")
                .property("security.issuers.bench.audience", "bench")
                .property("security.token-cache.size", cacheSize)
                .http(new Endpoints()).start();
    }
}
