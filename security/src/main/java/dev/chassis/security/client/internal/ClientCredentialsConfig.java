package dev.chassis.security.client.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;

import dev.chassis.core.config.Config;
import dev.chassis.security.internal.SecureUrls;
import dev.chassis.security.internal.SecuritySettings;

/**
 * The {@code clients.<target>.client-credentials.*} of one target, read and checked at start-up.
 *
 * @param tokenUrl the token endpoint, or null to discover it from {@code issuer}
 */
record ClientCredentialsConfig(URI tokenUrl, String issuer, String clientId, String clientSecret, String scope,
                               String audience, Duration refreshMargin, Duration timeout, boolean insecureHttp) {

    @Override
    public String toString() { // the secret never shows, whatever prints this
        return "ClientCredentialsConfig[" + (tokenUrl != null ? tokenUrl : issuer) + ", client " + clientId + "]";
    }

    /** Reads the target's settings; adds what is missing or wrong to {@code problems} and returns null then. */
    static ClientCredentialsConfig read(Config config, String target, List<String> problems) {
        String prefix = "clients." + target + ".client-credentials.";
        String tokenUrl = config.find(CredentialSettings.TOKEN_URL.resolve(target)).orElse(null);
        String issuer = config.find(CredentialSettings.ISSUER.resolve(target)).orElse(null);
        String clientId = config.find(CredentialSettings.CLIENT_ID.resolve(target)).orElse(null);
        String secret = config.find(CredentialSettings.CLIENT_SECRET.resolve(target)).orElse(null);
        int before = problems.size();
        boolean insecureHttp = config.get(SecuritySettings.ALLOW_INSECURE_HTTP);
        String why = "clients." + target + ".credentials is client-credentials, but ";
        if (tokenUrl == null && issuer == null) {
            problems.add(why + prefix + "token-url and " + prefix + "issuer are both unset."
                    + " Fix: set the token endpoint, or the issuer whose discovery document names it");
        }
        URI url = null;
        if (tokenUrl != null) {
            url = httpUrl(tokenUrl, prefix + "token-url", problems, insecureHttp);
        } else if (issuer != null) {
            httpUrl(issuer, prefix + "issuer", problems, insecureHttp);
        }
        if (clientId == null || clientId.isBlank()) {
            problems.add(why + prefix + "client-id is unset. Fix: set this service's OAuth client id");
        }
        if (secret == null || secret.isEmpty()) {
            problems.add(why + prefix + "client-secret is unset. Fix: set it (from an environment variable or a"
                    + " secret file, never in the repository)");
        }
        if (problems.size() > before) {
            return null;
        }
        return new ClientCredentialsConfig(url, issuer, clientId, secret,
                config.find(CredentialSettings.SCOPE.resolve(target)).orElse(null),
                config.find(CredentialSettings.AUDIENCE.resolve(target)).orElse(null),
                config.get(CredentialSettings.REFRESH_MARGIN.resolve(target)),
                config.get(CredentialSettings.TIMEOUT.resolve(target)), insecureHttp);
    }

    private static URI httpUrl(String value, String key, List<String> problems, boolean insecureHttp) {
        try {
            URI u = new URI(value);
            if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) {
                if (!SecureUrls.allowed(u, insecureHttp)) {
                    problems.add(key + ": " + SecureUrls.why("the URL", u) + ". Fix: use the provider's https URL");
                    return null;
                }
                return u;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        problems.add(key + " is '" + value + "', not an http:// or https:// URL. Fix: give the issuer's URL");
        return null;
    }
}
