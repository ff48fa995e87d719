package dev.chassis.security.internal;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.nimbusds.jose.JWSAlgorithm;

import dev.chassis.core.config.Config;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.config.Setting;
import dev.chassis.core.health.Health;
import dev.chassis.core.health.HealthCheck;
import dev.chassis.core.spi.ChassisExtension;
import dev.chassis.core.spi.ExtensionContext;

/**
 * Authentication and authorization for every service with {@code chassis-security} on its class path. Always sets
 * the access policy (so that rule annotations are never silently ignored; without any, it costs nothing per
 * request); with issuers configured ({@code security.issuers.<name>.issuer}) it also verifies bearer tokens on HTTP
 * (a filter) and gRPC (an interceptor) and adds the {@code security} readiness check. Turned off with
 * {@code chassis.extensions.security.enabled: false}. Not API.
 */
public final class SecurityExtension implements ChassisExtension {
    private static final System.Logger LOG = System.getLogger(SecurityExtension.class.getName());

    @Override
    public String name() {
        return "security";
    }

    @Override
    public List<Setting<?>> settings() {
        return SecuritySettings.all();
    }

    @Override
    public void register(ExtensionContext context) {
        Config config = context.config();
        Set<String> names = config.names("security.issuers");
        RuleSpec fallback = config.get(SecuritySettings.DEFAULT) == SecuritySettings.DefaultRule.AUTHENTICATED
                ? RuleSpec.AUTHENTICATED : RuleSpec.PERMIT;
        SecurityPolicy policy = new SecurityPolicy(config, fallback, !names.isEmpty(), context.production().enabled());
        context.calls().accessPolicy(policy);
        context.lifecycle().onBound(() -> {
            List<String> problems = policy.unknownRpcKeys();
            if (!problems.isEmpty()) {
                throw new ConfigException(problems);
            }
            List<String> tokenless = policy.tokenless();
            if (!tokenless.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, tokenless.size() + " methods need a bearer token, but no token"
                        + " issuer is configured: they answer 401 to every call (in production mode this stops"
                        + " start-up). Fix: set security.issuers.<name>.issuer and .audience. Methods: "
                        + String.join(", ", tokenless));
            }
        });
        if (names.isEmpty()) {
            return;
        }
        Fetcher fetcher = new Fetcher(config.get(SecuritySettings.FETCH_TIMEOUT),
                config.get(SecuritySettings.FETCH_MAX_SIZE));
        List<TokenVerifier.Issuer> issuers = issuers(config, names, context, fetcher);
        Claims claims;
        try {
            claims = new Claims(config.get(SecuritySettings.ROLE_CLAIMS));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(List.of(SecuritySettings.ROLE_CLAIMS.key() + ": " + e.getMessage()));
        }
        TokenVerifier verifier = new TokenVerifier(issuers, context.clock(), config.get(SecuritySettings.CLOCK_SKEW),
                claims, config.get(SecuritySettings.TOKEN_CACHE_SIZE));
        Authenticator authenticator = new Authenticator(verifier);
        context.http().filter(new BearerFilter(authenticator, config.get(SecuritySettings.SPAN_ENDUSER)));
        context.grpc().serverInterceptor(new BearerInterceptor(authenticator));
        List<IssuerKeys> keys = issuers.stream().map(TokenVerifier.Issuer::keys).toList();
        context.health().add(HealthCheck.readiness("security", () -> readiness(keys)));
        // the first fetch must not hold up start-up, and starts now, beside the rest of it (binding, the port), so
        // that readiness does not wait for it after the port opens; requests before it ends wait for it
        Thread.ofVirtual().name("chassis-jwks").start(() -> keys.forEach(IssuerKeys::refresh));
    }

    private static Health readiness(List<IssuerKeys> keys) {
        List<String> missing = new ArrayList<>();
        for (IssuerKeys k : keys) {
            if (!k.ready()) {
                missing.add("issuer " + k.name() + " has no signing keys: " + k.lastError());
            }
        }
        Health h = missing.isEmpty() ? Health.up() : Health.down(String.join("; ", missing)
                + " (requests with its tokens get 401)");
        for (IssuerKeys k : keys) {
            if (k.ready() && k.lastError() != null) {
                h = h.with(k.name(), "cached keys in use; last fetch failed: " + k.lastError());
            }
        }
        return h;
    }

    private static List<TokenVerifier.Issuer> issuers(Config config, Set<String> names, ExtensionContext context,
                                                      Fetcher fetcher) {
        List<String> problems = new ArrayList<>();
        List<TokenVerifier.Issuer> issuers = new ArrayList<>();
        Map<String, String> byIss = new HashMap<>();
        boolean insecureHttp = config.get(SecuritySettings.ALLOW_INSECURE_HTTP);
        for (String name : names) {
            Setting<String> issuerKey = SecuritySettings.ISSUER.resolve(name);
            String iss = config.find(issuerKey).orElse(null);
            if (iss == null || !httpUrl(iss)) {
                problems.add(issuerKey.key() + (iss == null ? " is not set" : " is '" + iss + "', not an http(s) URL")
                        + ". Fix: set it to the issuer's URL, exactly as its tokens carry it in iss");
                continue;
            }
            if (!SecureUrls.allowed(URI.create(iss), insecureHttp)) {
                problems.add(issuerKey.key() + ": " + SecureUrls.why("the issuer", URI.create(iss))
                        + ". Fix: use the provider's https URL");
                continue;
            }
            List<String> audience = config.get(SecuritySettings.AUDIENCE.resolve(name));
            if (audience.isEmpty()) {
                problems.add(SecuritySettings.AUDIENCE.resolve(name).key() + " is empty: tokens this provider issued for"
                        + " any other service or client would be accepted here. Fix: set it to the aud this service's"
                        + " tokens carry");
            }
            String previous = byIss.put(iss, name);
            if (previous != null) {
                problems.add("security.issuers." + previous + " and security.issuers." + name + " name the same issuer "
                        + iss + ". Fix: keep one");
            }
            Setting<String> jwksKey = SecuritySettings.JWKS_URL.resolve(name);
            String jwks = config.find(jwksKey).orElse(null);
            if (jwks != null && !httpUrl(jwks)) {
                problems.add(jwksKey.key() + " is '" + jwks + "', not an http(s) URL");
                continue;
            }
            if (jwks != null && !SecureUrls.allowed(URI.create(jwks), insecureHttp)) {
                problems.add(jwksKey.key() + ": " + SecureUrls.why("the JWKS", URI.create(jwks)));
                continue;
            }
            Set<JWSAlgorithm> algorithms = algorithms(config, SecuritySettings.ALGORITHMS.resolve(name), problems);
            IssuerKeys keys = new IssuerKeys(name, iss, jwks == null ? null : URI.create(jwks), fetcher, context.clock(),
                    config.get(SecuritySettings.JWKS_REFRESH_MIN_INTERVAL),
                    config.get(SecuritySettings.JWKS_REFRESH_INTERVAL), insecureHttp);
            issuers.add(new TokenVerifier.Issuer(iss, keys, Set.copyOf(audience), algorithms));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return issuers;
    }

    /** The allow-listed algorithms: asymmetric signatures only (no none, no HMAC: JWKS keys are public). */
    private static Set<JWSAlgorithm> algorithms(Config config, Setting<List<String>> key, List<String> problems) {
        Set<JWSAlgorithm> out = new LinkedHashSet<>();
        List<String> values = config.get(key);
        if (values.isEmpty()) {
            problems.add(key.key() + " is empty. Fix: list asymmetric algorithms such as RS256, PS256, ES256");
        }
        for (String v : values) {
            JWSAlgorithm alg = JWSAlgorithm.parse(v);
            if (JWSAlgorithm.Family.ED.contains(alg)) {
                problems.add(key.key() + " lists '" + v + "': EdDSA (Ed25519) tokens cannot be verified here yet; list"
                        + " RSA or EC algorithms (" + String.join(", ", SecuritySettings.DEFAULT_ALGORITHMS) + ")");
            } else if (JWSAlgorithm.Family.HMAC_SHA.contains(alg) || !JWSAlgorithm.Family.SIGNATURE.contains(alg)) {
                problems.add(key.key() + " lists '" + v + "': only asymmetric signature algorithms are accepted ("
                        + String.join(", ", SecuritySettings.DEFAULT_ALGORITHMS) + "); none and HMAC (HS*) never are,"
                        + " as the keys come from a public JWKS");
            } else {
                out.add(alg);
            }
        }
        return Set.copyOf(out);
    }

    private static boolean httpUrl(String s) {
        try {
            URI u = URI.create(s);
            return ("https".equals(u.getScheme()) || "http".equals(u.getScheme())) && u.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
