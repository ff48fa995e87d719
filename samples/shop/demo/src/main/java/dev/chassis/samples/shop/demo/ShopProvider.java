package dev.chassis.samples.shop.demo;

import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.oauth2.sdk.GrantType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;

import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;

/**
 * The shop's OpenID Connect provider for the demo and its tests: mock-oauth2-server in this JVM (discovery, JWKS, a
 * token endpoint), with the issuer {@code <base>/shop}. Users' tokens are minted directly ({@link #userToken}); the
 * services' own tokens come from the token endpoint by the client-credentials grant, as from any provider: a
 * registered client ({@code orders}) gets the scopes it is registered for (of those it asks), its client id as
 * {@code client_id} and {@code azp}, and the audience it asks for. Clients are not authenticated (any secret
 * works): it is a demo provider, not a real one.
 */
public final class ShopProvider implements AutoCloseable {
    /** The issuer's name in its URL path. */
    public static final String ISSUER_ID = "shop";
    /** The audience of users' tokens: orders' {@code security.issuers.shop.audience}. */
    public static final String USER_AUDIENCE = "orders";
    /** The client the users' tokens are issued to (a web shop). */
    public static final String USER_CLIENT = "shop-web";

    private final MockOAuth2Server server;

    private ShopProvider(Map<String, Set<String>> clients) {
        server = new MockOAuth2Server(new OAuth2Config(false, null, null, false, new OAuth2TokenProvider(),
                Set.of(new Registrations(clients))));
    }

    /** Starts the provider on a free loopback port with its registered clients and the scopes each may have. */
    public static ShopProvider start(Map<String, Set<String>> clients) {
        ShopProvider p = new ShopProvider(clients);
        try {
            p.server.start(InetAddress.getLoopbackAddress(), 0);
            // the first answer is slow (classes load): better here than in a service's first key fetch
            JWKSet.load(p.server.jwksUrl(ISSUER_ID).url());
        } catch (Exception e) {
            p.close();
            throw new IllegalStateException("the OpenID Connect provider did not start", e);
        }
        return p;
    }

    /** The issuer URL, exactly as its tokens carry it in {@code iss}. */
    public String issuer() {
        return server.issuerUrl(ISSUER_ID).toString();
    }

    /** A user's access token for orders, valid an hour, granting these scopes (none: an empty {@code scope}). */
    public String userToken(String subject, String... scopes) {
        return token(subject, USER_AUDIENCE, scopes);
    }

    /** A user's access token for another audience (a service's {@code security.issuers.shop.audience}). */
    public String token(String subject, String audience, String... scopes) {
        Map<String, Object> claims = Map.of("scope", String.join(" ", scopes), "azp", USER_CLIENT);
        return server.issueToken(ISSUER_ID, USER_CLIENT, new DefaultOAuth2TokenCallback(ISSUER_ID, subject, "JWT",
                List.of(audience), claims, 3600)).serialize();
    }

    @Override
    public void close() {
        server.shutdown();
    }

    /** The client-credentials grant for registered clients; other grants as mock-oauth2-server does by default. */
    private static final class Registrations implements OAuth2TokenCallback {
        private final Map<String, Set<String>> clients;
        private final DefaultOAuth2TokenCallback fallback = new DefaultOAuth2TokenCallback(ISSUER_ID, "anonymous",
                "JWT", null, Map.of(), 3600);

        Registrations(Map<String, Set<String>> clients) {
            this.clients = Map.copyOf(clients);
        }

        private static boolean clientCredentials(TokenRequest request) {
            return GrantType.CLIENT_CREDENTIALS.equals(request.getAuthorizationGrant().getType());
        }

        private static String clientId(TokenRequest request) {
            ClientID id = request.getClientAuthentication() != null ? request.getClientAuthentication().getClientID()
                    : request.getClientID();
            return id == null ? "" : id.getValue();
        }

        @Override
        public String issuerId() {
            return ISSUER_ID;
        }

        @Override
        public String subject(TokenRequest request) {
            return clientCredentials(request) ? clientId(request) : fallback.subject(request);
        }

        @Override
        public String typeHeader(TokenRequest request) {
            return "JWT";
        }

        @Override
        public List<String> audience(TokenRequest request) {
            List<String> asked = request.getCustomParameter("audience");
            return clientCredentials(request) && asked != null && !asked.isEmpty() ? List.copyOf(asked)
                    : fallback.audience(request);
        }

        @Override
        public Map<String, Object> addClaims(TokenRequest request) {
            if (!clientCredentials(request)) {
                return fallback.addClaims(request);
            }
            String client = clientId(request);
            Set<String> granted = new LinkedHashSet<>();
            Scope asked = request.getScope();
            if (asked != null) {
                asked.toStringList().stream().filter(clients.getOrDefault(client, Set.of())::contains)
                        .forEach(granted::add);
            }
            return Map.of("client_id", client, "azp", client, "scope", String.join(" ", granted));
        }

        @Override
        public long tokenExpiry() {
            return 3600;
        }
    }
}
