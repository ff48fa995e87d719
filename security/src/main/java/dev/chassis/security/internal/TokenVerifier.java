package dev.chassis.security.internal;

import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import dev.chassis.core.Caller;

/**
 * Verifies bearer tokens: a signed JWT (never {@code alg: none}), by an allowed asymmetric algorithm, from a
 * configured issuer (chosen by the unverified {@code iss}, then checked by the signature with one of that issuer's
 * keys), within its {@code exp}/{@code nbf}/{@code iat} give or take the clock skew, for an accepted audience.
 * Verified tokens are remembered (keyed by their text, which the process holds anyway while it serves their
 * requests) until their {@code exp} at the latest. Failures say
 * briefly why, never quoting the token. Thread-safe. Not API.
 */
final class TokenVerifier {
    /**
     * The {@code typ} values of a token that grants access: a JWT (RFC 7519), an OAuth access token (RFC 9068), in
     * short or media-type form; a token without {@code typ} is taken as a JWT.
     */
    private static final Set<String> ACCESS_TOKEN_TYPES = Set.of("jwt", "at+jwt", "application/jwt",
            "application/at+jwt");

    private final Map<String, Issuer> issuers;
    private final Clock clock;
    private final Duration skew;
    private final Claims claims;
    private final TokenCache cache;
    private final DefaultJWSVerifierFactory verifiers = new DefaultJWSVerifierFactory();

    /** One configured issuer: its {@code iss}, keys, accepted audiences and algorithms. */
    record Issuer(String iss, IssuerKeys keys, Set<String> audience, Set<JWSAlgorithm> algorithms) {
    }

    /** The outcome: a caller (without its peer yet), or why the token is refused. */
    record Result(Caller caller, Instant expires, String failure) {
        static Result refused(String why) {
            return new Result(null, null, why);
        }
    }

    TokenVerifier(List<Issuer> issuers, Clock clock, Duration skew, Claims claims, int cacheSize) {
        this.issuers = Map.copyOf(issuers.stream().collect(Collectors.toMap(Issuer::iss, i -> i)));
        this.clock = clock;
        this.skew = skew;
        this.claims = claims;
        this.cache = cacheSize > 0 ? new TokenCache(cacheSize) : null;
    }

    /**
     * The remembered result of a token verified before and not expired yet, or null: the per-request fast path,
     * taken before any other check of the token's text (a token equal to a verified one passed them).
     */
    Result cached(String token) {
        return cache == null ? null : cache.get(token, clock.instant());
    }

    Result verify(String token) {
        Instant now = clock.instant();
        if (cache != null) {
            Result hit = cache.get(token, now);
            if (hit != null) {
                return hit;
            }
        }
        Result result = verifyUncached(token, now);
        if (cache != null && result.caller() != null) {
            cache.put(token, result, now);
        }
        return result;
    }

    private Result verifyUncached(String token, Instant now) {
        SignedJWT jwt;
        JWTClaimsSet set;
        try {
            jwt = SignedJWT.parse(token);
            set = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            return Result.refused("the token is not a signed JWT");
        }
        JWSHeader header = jwt.getHeader();
        if (header.getType() != null && !ACCESS_TOKEN_TYPES.contains(header.getType().getType().toLowerCase(Locale.ROOT))) {
            // a logout token, a security event token...: signed by the same issuer, but not meant to grant access
            return Result.refused("the token's type (typ) is not an access token's");
        }
        Issuer issuer = set.getIssuer() == null ? null : issuers.get(set.getIssuer());
        if (issuer == null) {
            return Result.refused("the token's issuer is not accepted");
        }
        if (!issuer.algorithms().contains(header.getAlgorithm())) {
            return Result.refused("the token's algorithm " + header.getAlgorithm().getName() + " is not accepted");
        }
        List<JWK> keys = issuer.keys().candidates(header.getKeyID(), header.getAlgorithm());
        if (keys.isEmpty()) {
            return Result.refused(issuer.keys().ready() ? "the token's signing key is unknown"
                    : "the issuer's keys are not available");
        }
        if (!verified(jwt, header, keys)) {
            return Result.refused("the token's signature is not valid");
        }
        Date exp = set.getExpirationTime();
        if (exp == null) {
            return Result.refused("the token has no expiry");
        }
        if (now.isAfter(exp.toInstant().plus(skew))) {
            return Result.refused("the token has expired");
        }
        if (set.getNotBeforeTime() != null && now.plus(skew).isBefore(set.getNotBeforeTime().toInstant())) {
            return Result.refused("the token is not valid yet");
        }
        if (set.getIssueTime() != null && now.plus(skew).isBefore(set.getIssueTime().toInstant())) {
            return Result.refused("the token is issued in the future");
        }
        if (!issuer.audience().isEmpty() && (set.getAudience() == null
                || set.getAudience().stream().noneMatch(issuer.audience()::contains))) {
            return Result.refused("the token is not meant for this service (aud)");
        }
        if (set.getSubject() == null) {
            return Result.refused("the token has no subject");
        }
        return new Result(claims.caller(set), exp.toInstant(), null);
    }

    private boolean verified(SignedJWT jwt, JWSHeader header, List<JWK> keys) {
        for (JWK k : keys) {
            try {
                // only asymmetric public keys: an HMAC verifier is never built from a public key (algorithm confusion)
                if (!(k instanceof AsymmetricJWK asymmetric)) {
                    continue;
                }
                Key key = asymmetric.toPublicKey();
                if (jwt.verify(verifiers.createJWSVerifier(header, key))) {
                    return true;
                }
            } catch (JOSEException | IllegalStateException e) {
                // a key unfit for this algorithm: try the next one
            }
        }
        return false;
    }

}
