package dev.chassis.security.internal;

import java.time.Duration;
import java.util.List;

import dev.chassis.core.config.Setting;

/** The configuration keys of authentication and authorization ({@code security.*}). Not API. */
public final class SecuritySettings {
    /** Who may call what has no rule: everyone, or only authenticated callers. */
    enum DefaultRule { PERMIT, AUTHENTICATED }

    static final List<String> DEFAULT_ALGORITHMS = List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256", "ES384", "ES512");

    static final Setting<String> ISSUER = Setting.string("security.issuers.*.issuer", null)
            .describedAs("the issuer's URL, exactly as tokens carry it in iss; its keys are found by OIDC discovery"
                    + " (<issuer>/.well-known/openid-configuration) unless jwks-url is set");
    static final Setting<String> JWKS_URL = Setting.string("security.issuers.*.jwks-url", null)
            .describedAs("the issuer's JWKS URL, instead of discovery");
    static final Setting<List<String>> AUDIENCE = Setting.list("security.issuers.*.audience", List.of())
            .describedAs("accepted audiences: a token's aud must name one of them; required (an empty list would accept"
                    + " tokens issued for any other service)");
    static final Setting<List<String>> ALGORITHMS = Setting.list("security.issuers.*.algorithms", DEFAULT_ALGORITHMS)
            .describedAs("accepted signature algorithms (asymmetric only: none and HS* are refused)");
    static final Setting<Duration> CLOCK_SKEW = Setting.duration("security.clock-skew", Duration.ofSeconds(60))
            .range(0, Duration.ofMinutes(10).toMillis())
            .describedAs("tolerance when checking exp, nbf and iat");
    static final Setting<Duration> JWKS_REFRESH_MIN_INTERVAL = Setting.duration("security.jwks-refresh-min-interval",
                    Duration.ofSeconds(30)).min(1000)
            .describedAs("at most one JWKS fetch per issuer in this interval, when a token names an unknown key");
    static final Setting<Duration> JWKS_REFRESH_INTERVAL = Setting.duration("security.jwks-refresh-interval",
                    Duration.ofMinutes(10)).min(1)
            .describedAs("how often the keys are fetched again, to learn of rotations before a token needs them");
    static final Setting<Duration> FETCH_TIMEOUT = Setting.duration("security.fetch-timeout", Duration.ofSeconds(5))
            .min(1).describedAs("timeout of each discovery and JWKS request");
    static final Setting<Long> FETCH_MAX_SIZE = Setting.size("security.fetch-max-size", 512L * 1024).range(1024,
            16L * 1024 * 1024).describedAs("largest discovery or JWKS document accepted");
    static final Setting<Integer> TOKEN_CACHE_SIZE = Setting.integer("security.token-cache.size", 10_000)
            .range(0, 1_000_000).describedAs("verified tokens remembered (until their exp at most); 0 turns the cache off");
    static final Setting<List<String>> ROLE_CLAIMS = Setting.list("security.role-claims",
                    List.of("roles", "realm_access.roles", "groups"))
            .describedAs("claims (dotted paths into nested objects) whose values are the caller's roles");
    static final Setting<DefaultRule> DEFAULT = Setting.oneOf("security.default", DefaultRule.class,
                    DefaultRule.PERMIT)
            .describedAs("the rule of handlers and RPCs without an annotation: permit, or authenticated"
                    + " (deny by default; @PermitAll opens one)");
    /** Read by both extensions of the module. */
    public static final Setting<Boolean> ALLOW_INSECURE_HTTP = Setting.bool("security.allow-insecure-http", false)
            .describedAs("true accepts plain http:// issuers, JWKS and token endpoints on other hosts than this one —"
                    + " only on a private network you trust (docker-compose); anyone on the path could sign tokens");
    static final Setting<Boolean> SPAN_ENDUSER = Setting.bool("security.span-enduser", false)
            .describedAs("true sets enduser.id (the subject) on the request's span");
    static final Setting<Boolean> RPC_AUTHENTICATED = Setting.bool("security.rpc.*.*.authenticated", null)
            .describedAs("true: the RPC <service>.<method> (both in kebab case: shop-inventory.reserve for"
                    + " shop.Inventory/Reserve) needs a verified token");
    static final Setting<Boolean> RPC_PERMIT_ALL = Setting.bool("security.rpc.*.*.permit-all", null)
            .describedAs("true: everyone may call the RPC, as @PermitAll");
    static final Setting<List<String>> RPC_ROLES = Setting.list("security.rpc.*.*.roles", null)
            .describedAs("roles any one of which the RPC's caller needs, as @RolesAllowed");
    static final Setting<List<String>> RPC_SCOPES = Setting.list("security.rpc.*.*.scopes", null)
            .describedAs("scopes all of which the RPC's caller needs, as @Scopes");
    static final Setting<List<String>> RPC_WORKLOADS = Setting.list("security.rpc.*.*.workloads", null)
            .describedAs("workloads (mTLS) allowed to call the RPC, as @Workloads: SPIFFE IDs (a trailing /* for the"
                    + " path segments below) or DNS names");

    private SecuritySettings() {
    }

    static List<Setting<?>> all() {
        return List.of(ISSUER, JWKS_URL, AUDIENCE, ALGORITHMS, CLOCK_SKEW, JWKS_REFRESH_MIN_INTERVAL,
                JWKS_REFRESH_INTERVAL, FETCH_TIMEOUT, FETCH_MAX_SIZE, TOKEN_CACHE_SIZE, ROLE_CLAIMS, DEFAULT,
                SPAN_ENDUSER, ALLOW_INSECURE_HTTP, RPC_AUTHENTICATED, RPC_PERMIT_ALL, RPC_ROLES, RPC_SCOPES, RPC_WORKLOADS);
    }
}
