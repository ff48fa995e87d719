package dev.chassis.security;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import dev.chassis.core.ServiceBuilder;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;

/** A real OpenID Connect provider in the test JVM (mock-oauth2-server: discovery, JWKS, token endpoint). */
final class Provider implements AutoCloseable {
    static final String ISSUER_ID = "shop";
    static final String AUDIENCE = "orders-api";

    final MockOAuth2Server server = new MockOAuth2Server();

    Provider() {
        try {
            server.start(InetAddress.getLoopbackAddress(), 0);
            // the provider's first answer is slow (its classes load): not something the services should wait for
            JWKSet.load(server.jwksUrl(ISSUER_ID).url());
        } catch (Exception e) {
            throw new IllegalStateException("the provider does not answer", e);
        }
    }

    String issuer() {
        return server.issuerUrl(ISSUER_ID).toString();
    }

    /** The service settings that trust this provider, by discovery. */
    ServiceBuilder trusted(ServiceBuilder service) {
        return service.property("security.issuers.shop.issuer", issuer())
                .property("security.issuers.shop.audience", AUDIENCE)
                .property("security.fetch-timeout", "30s"); // a loaded test machine
    }

    /** A token of subject {@code alice} for the audience, valid an hour, with these extra claims. */
    String token(Map<String, Object> claims) {
        return token(ISSUER_ID, AUDIENCE, claims, 3600);
    }

    String token(String issuerId, String audience, Map<String, Object> claims, long expirySeconds) {
        Map<String, Object> all = new HashMap<>(claims);
        all.putIfAbsent("azp", "shop-web");
        return server.issueToken(issuerId, "shop-web", new DefaultOAuth2TokenCallback(issuerId, "alice", "JWT",
                List.of(audience), all, expirySeconds)).serialize();
    }

    /** A token of the right issuer signed with HS256, its key being the issuer's RSA public key (algorithm confusion). */
    String hmacWithThePublicKey() throws Exception {
        JWKSet jwks = JWKSet.load(server.jwksUrl(ISSUER_ID).url());
        RSAKey rsa = (RSAKey) jwks.getKeys().get(0);
        byte[] secret = rsa.toPublicJWK().toRSAPublicKey().getEncoded();
        return signedHs256(rsa, secret);
    }

    private String signedHs256(JWK key, byte[] secret) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID()).build(),
                claims().build());
        jwt.sign(new MACSigner(secret));
        return jwt.serialize();
    }

    /** An unsigned token ({@code alg: none}) with valid claims. */
    String unsigned() {
        String header = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\"}").toString();
        String payload = claims().build().toPayload().toBase64URL().toString();
        return header + "." + payload + ".";
    }

    private JWTClaimsSet.Builder claims() {
        long now = System.currentTimeMillis() / 1000;
        return new JWTClaimsSet.Builder().issuer(issuer()).subject("mallory").audience(AUDIENCE)
                .claim("iat", now).claim("exp", now + 3600);
    }

    @Override
    public void close() {
        server.shutdown();
    }
}
