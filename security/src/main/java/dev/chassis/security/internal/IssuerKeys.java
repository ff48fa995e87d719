package dev.chassis.security.internal;

import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;

/**
 * The public signing keys of one issuer, from its JWKS (found by OIDC discovery unless configured). Keys are kept
 * until a fetch brings new ones: a failing endpoint leaves the cached keys in use. A token naming an unknown key
 * triggers a fetch, at most one per {@code minInterval}; keys are also fetched every {@code refreshInterval}.
 * Thread-safe. Not API.
 */
final class IssuerKeys {
    private static final System.Logger LOG = System.getLogger(IssuerKeys.class.getName());

    private final String name;
    private final String issuer;
    private final URI configuredJwks;
    private final Fetcher fetcher;
    private final Clock clock;
    private final Duration minInterval;
    private final Duration refreshInterval;
    /** One fetch at a time; a lock, not a monitor: a virtual thread waiting on a monitor pins its carrier (JDK 21-23). */
    private final ReentrantLock fetchLock = new ReentrantLock();

    private volatile URI jwks;
    private volatile JWKSet keys;
    private volatile Instant lastAttempt = Instant.MIN;
    private volatile Instant lastSuccess = Instant.MIN;
    private volatile String lastError = "keys not fetched yet";
    /** {@code security.allow-insecure-http}: a discovered http jwks_uri on another host is accepted. */
    private final boolean insecureHttp;

    IssuerKeys(String name, String issuer, URI configuredJwks, Fetcher fetcher, Clock clock, Duration minInterval,
               Duration refreshInterval, boolean insecureHttp) {
        this.insecureHttp = insecureHttp;
        this.name = name;
        this.issuer = issuer;
        this.configuredJwks = configuredJwks;
        this.jwks = configuredJwks;
        this.fetcher = fetcher;
        this.clock = clock;
        this.minInterval = minInterval;
        this.refreshInterval = refreshInterval;
    }

    String name() {
        return name;
    }

    /** Whether some keys are cached. */
    boolean ready() {
        return keys != null;
    }

    /** Why no keys are cached, or why the last fetch failed. */
    String lastError() {
        return lastError;
    }

    /** The JWKS URL, once known (configured or discovered). */
    URI jwksUri() {
        return jwks;
    }

    /**
     * The keys that may have signed a token with this key id (any key, when the token names none) and algorithm.
     * An unknown key id, or no keys at all, fetches the JWKS again when the last attempt is older than the
     * minimum interval; a due periodic refresh happens here too.
     */
    List<JWK> candidates(String kid, JWSAlgorithm alg) {
        JWKSet current = keys;
        List<JWK> found = current == null ? List.of() : select(current, kid, alg);
        Instant now = clock.instant();
        Instant attempted = lastAttempt;
        boolean stale = current != null && now.isAfter(lastSuccess.plus(refreshInterval));
        if ((found.isEmpty() || stale) && !now.isBefore(attempted.plus(minInterval))) {
            refresh(attempted);
            current = keys;
            found = current == null ? List.of() : select(current, kid, alg);
        }
        return found;
    }

    /** Fetches the keys now (at start-up, and when due). */
    void refresh() {
        refresh(lastAttempt);
    }

    /** Fetches the keys, unless another thread has attempted since {@code attempted} (then it waited for that one). */
    private void refresh(Instant attempted) {
        fetchLock.lock();
        try {
            if (!lastAttempt.equals(attempted)) {
                return; // another thread fetched while this one waited
            }
            try {
                URI uri = jwks != null ? jwks : discover();
                JWKSet fetched = JWKSet.parse(fetcher.json(uri));
                List<JWK> usable = new ArrayList<>();
                for (JWK k : fetched.getKeys()) {
                    if (!k.isPrivate() && (k.getKeyUse() == null || KeyUse.SIGNATURE.equals(k.getKeyUse()))
                            && k.getKeyType() != KeyType.OCT) {
                        usable.add(k);
                    }
                }
                if (usable.isEmpty()) {
                    throw new Fetcher.FetchException(uri + " holds no public signing key");
                }
                keys = new JWKSet(usable);
                lastSuccess = clock.instant();
                lastError = null;
                LOG.log(System.Logger.Level.DEBUG, () -> "issuer " + name + ": " + usable.size() + " keys from " + uri);
            } catch (Fetcher.FetchException | ParseException e) {
                String why = e instanceof ParseException ? "the JWKS of issuer " + name + " is not valid: "
                        + e.getMessage() : e.getMessage();
                lastError = why;
                LOG.log(System.Logger.Level.WARNING, "issuer " + name + ": " + why
                        + (keys != null ? " (the cached keys stay in use)" : " (tokens of this issuer are refused)"));
            } finally {
                // set when the fetch ends: requests that queued behind it see it changed and use its keys
                lastAttempt = clock.instant();
            }
        } finally {
            fetchLock.unlock();
        }
    }

    private URI discover() throws Fetcher.FetchException {
        URI uri = URI.create(issuer.endsWith("/") ? issuer + ".well-known/openid-configuration"
                : issuer + "/.well-known/openid-configuration");
        Map<String, Object> doc = fetcher.json(uri);
        if (!issuer.equals(doc.get("issuer"))) {
            throw new Fetcher.FetchException(uri + " names issuer " + doc.get("issuer") + ", not " + issuer);
        }
        Object jwksUri = doc.get("jwks_uri");
        if (!(jwksUri instanceof String s) || !(s.startsWith("https://") || s.startsWith("http://"))) {
            throw new Fetcher.FetchException(uri + " has no http(s) jwks_uri");
        }
        URI found;
        try {
            found = URI.create(s);
        } catch (IllegalArgumentException e) { // a provider's document is input: a bad URL is its error, not ours
            throw new Fetcher.FetchException(uri + " names a jwks_uri that is not a URL: " + e.getMessage());
        }
        if (!SecureUrls.allowed(found, insecureHttp)) {
            throw new Fetcher.FetchException(uri + " names a jwks_uri that is refused: " + SecureUrls.why("the JWKS", found));
        }
        jwks = found;
        return found;
    }

    private static List<JWK> select(JWKSet set, String kid, JWSAlgorithm alg) {
        KeyType type = KeyType.forAlgorithm(alg);
        List<JWK> out = new ArrayList<>(1);
        for (JWK k : set.getKeys()) {
            if ((kid == null || kid.equals(k.getKeyID())) && k.getKeyType().equals(type)
                    && (k.getAlgorithm() == null || k.getAlgorithm().equals(alg))) {
                out.add(k);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "IssuerKeys[" + name + " " + issuer + (configuredJwks != null ? " " + configuredJwks : "") + "]";
    }
}
