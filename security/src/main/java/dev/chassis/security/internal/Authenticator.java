package dev.chassis.security.internal;

import java.util.List;

import dev.chassis.core.Caller;
import dev.chassis.core.Peer;

/**
 * Reads the {@code Authorization} header of a request or call (RFC 6750 section 2.1: {@code Bearer <b64token>},
 * exactly one), verifies the token and answers the caller, or why it is refused. Other schemes are left alone: the
 * request goes on unauthenticated. Tokens in query strings or bodies are never read. Thread-safe. Not API.
 */
final class Authenticator {
    /** Longer Authorization values are refused before any parsing. */
    static final int MAX_HEADER = 8 * 1024;

    private final TokenVerifier verifier;

    Authenticator(TokenVerifier verifier) {
        this.verifier = verifier;
    }

    /**
     * The outcome: {@code caller} and its verified {@code token} set when authenticated, {@code error} set
     * ({@code invalid_request} or {@code invalid_token}) when refused, neither when the request carries no bearer
     * token. Its {@code toString} never shows the token.
     */
    record Outcome(Caller caller, String token, String error, String description) {
        static final Outcome NONE = new Outcome(null, null, null, null);

        static Outcome invalidRequest(String description) {
            return new Outcome(null, null, "invalid_request", description);
        }

        @Override
        public String toString() {
            return "Outcome[" + (caller != null ? caller : error + ": " + description) + "]";
        }

        /** The {@code WWW-Authenticate} value of a refusal. */
        String challenge() {
            return Challenges.error(error, description);
        }
    }

    /** @param values every value of the Authorization header (or metadata key) */
    Outcome authenticate(List<String> values, Peer peer) {
        if (values.isEmpty()) {
            return Outcome.NONE;
        }
        if (values.size() > 1) {
            return Outcome.invalidRequest("send one Authorization header");
        }
        String value = values.get(0);
        if (value.length() > MAX_HEADER) {
            return Outcome.invalidRequest("the Authorization header is too long");
        }
        int space = value.indexOf(' ');
        if (space <= 0) {
            return Outcome.invalidRequest("the Authorization header is not <scheme> <credentials>: send Bearer <token>");
        }
        if (!value.regionMatches(true, 0, "Bearer", 0, space) || space != 6) {
            return Outcome.NONE; // another scheme: not for this extension
        }
        String token = value.substring(space + 1).strip();
        TokenVerifier.Result known = verifier.cached(token);
        if (known != null) {
            return new Outcome(withPeer(known.caller(), peer), token, null, null);
        }
        if (token.isEmpty() || token.indexOf(' ') >= 0 || token.indexOf(',') >= 0) {
            return Outcome.invalidRequest("send exactly one bearer token");
        }
        if (!isB64Token(token)) {
            return Outcome.invalidRequest("the bearer token has characters a token cannot have");
        }
        TokenVerifier.Result result = verifier.verify(token);
        if (result.caller() == null) {
            return new Outcome(null, null, "invalid_token", result.failure());
        }
        return new Outcome(withPeer(result.caller(), peer), token, null, null);
    }

    /**
     * RFC 6750's {@code b64token}: {@code 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="} — checked by
     * hand, as this runs on every request.
     */
    static boolean isB64Token(String token) {
        int n = token.length();
        int end = n;
        while (end > 0 && token.charAt(end - 1) == '=') {
            end--;
        }
        if (end == 0) {
            return false;
        }
        for (int i = 0; i < end; i++) {
            char c = token.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static Caller withPeer(Caller c, Peer peer) {
        if (peer == Peer.anonymous()) {
            return c;
        }
        return Caller.authenticated(c.subject().orElseThrow(), c.issuer().orElseThrow())
                .clientId(c.clientId().orElse(null)).scopes(c.scopes()).roles(c.roles()).claims(c.claims()).peer(peer)
                .build();
    }
}
