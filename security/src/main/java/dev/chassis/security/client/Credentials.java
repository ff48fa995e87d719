package dev.chassis.security.client;

/**
 * What a service presents to a target it calls, as {@code clients.<target>.credentials} chooses.
 */
public enum Credentials {
    /** No token: the call carries only what its connection proves (mutual TLS, when configured). The default. */
    NONE,
    /**
     * The bearer token of the request being served, passed on as it came (opt-in: the target then acts for the same
     * user, with the same audience and lifetime). A call made outside a request, or for an anonymous one, carries no
     * token.
     */
    RELAY,
    /**
     * An OAuth 2.0 client-credentials token (RFC 6749 §4.4) of this service, from the issuer's token endpoint:
     * cached until shortly before it expires, fetched once however many calls need it at the same time.
     */
    CLIENT_CREDENTIALS
}
