package dev.chassis.security.client.internal;

import java.time.Duration;
import java.util.List;

import dev.chassis.core.config.Setting;
import dev.chassis.security.client.Credentials;

/** The configuration keys of service-to-service credentials ({@code clients.<target>.credentials...}). Not API. */
final class CredentialSettings {
    static final Setting<Credentials> MODE = Setting.oneOf("clients.*.credentials", Credentials.class, Credentials.NONE)
            .describedAs("what calls to the target carry: none (mutual TLS only), relay (the incoming request's bearer"
                    + " token) or client-credentials (an OAuth 2.0 token of this service)");
    static final Setting<String> TOKEN_URL = Setting.string("clients.*.client-credentials.token-url", null)
            .describedAs("the issuer's token endpoint; else discovered from <issuer>/.well-known/openid-configuration");
    static final Setting<String> ISSUER = Setting.string("clients.*.client-credentials.issuer", null)
            .describedAs("the issuer whose discovery document names the token endpoint (when token-url is unset)");
    static final Setting<String> CLIENT_ID = Setting.string("clients.*.client-credentials.client-id", null)
            .describedAs("this service's OAuth client id");
    static final Setting<String> CLIENT_SECRET = Setting.string("clients.*.client-credentials.client-secret", null)
            .secret().describedAs("this service's OAuth client secret, sent as HTTP Basic to the token endpoint; never shown");
    static final Setting<String> SCOPE = Setting.string("clients.*.client-credentials.scope", null)
            .describedAs("the scopes to ask for, space-separated; none when unset");
    static final Setting<String> AUDIENCE = Setting.string("clients.*.client-credentials.audience", null)
            .describedAs("the audience to ask for (the audience parameter that Auth0, Okta and others take); none when unset");
    static final Setting<Duration> REFRESH_MARGIN = Setting.duration("clients.*.client-credentials.refresh-margin",
                    Duration.ofSeconds(30))
            .describedAs("a token is replaced this long before it expires (at half its lifetime when that is shorter)");
    static final Setting<Duration> TIMEOUT = Setting.duration("clients.*.client-credentials.timeout", Duration.ofSeconds(5))
            .min(1).describedAs("how long a call waits for the token endpoint (connect and answer)");

    private CredentialSettings() {
    }

    static List<Setting<?>> all() {
        return List.of(MODE, TOKEN_URL, ISSUER, CLIENT_ID, CLIENT_SECRET, SCOPE, AUDIENCE, REFRESH_MARGIN, TIMEOUT);
    }
}
