package dev.chassis.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import dev.chassis.core.internal.shared.CurrentCaller;

/**
 * Whom a request acts for: the user or client a verified bearer token names (subject, issuer, client id, scopes,
 * roles, claims), and the workload that called, as its mutual-TLS certificate proves ({@link #peer()}). A handler
 * takes it as a parameter ({@code Order place(@Body NewOrder o, Caller caller)}); gRPC services and {@code @Consume}
 * handlers ask {@link #current()}.
 *
 * <p>Without a token (or without the {@code chassis-security} module, which verifies tokens) the caller is
 * {@linkplain #authenticated() not authenticated}, and carries only the peer. Immutable and thread-safe. Its
 * {@link #toString()} names the subject and issuer only: claims may hold personal data, and the token itself is
 * never kept here.
 */
public final class Caller {
    private static final Caller ANONYMOUS = new Caller(null, null, null, Set.of(), Set.of(), Map.of(), Peer.anonymous());

    private final String subject;
    private final String issuer;
    private final String clientId;
    private final Set<String> scopes;
    private final Set<String> roles;
    private final Map<String, Object> claims;
    private final Peer peer;

    private Caller(String subject, String issuer, String clientId, Set<String> scopes, Set<String> roles,
                   Map<String, Object> claims, Peer peer) {
        this.subject = subject;
        this.issuer = issuer;
        this.clientId = clientId;
        this.scopes = scopes;
        this.roles = roles;
        this.claims = claims;
        this.peer = peer;
    }

    /**
     * The caller the current thread serves: the HTTP request its handler runs for, the gRPC call its service method
     * runs for, or the event its {@code @Consume} handler runs for (when the event carries an acting subject).
     * Outside any, or when nobody is authenticated, it is {@linkplain #anonymous(Peer) anonymous} with the gRPC
     * call's {@link Peer#current() peer}.
     */
    public static Caller current() {
        Caller caller = CurrentCaller.get();
        return caller != null ? caller : anonymous(Peer.current());
    }

    /** A caller with no verified token: only the workload identity of the connection, if any. */
    public static Caller anonymous(Peer peer) {
        Objects.requireNonNull(peer, "peer");
        return peer == Peer.anonymous() ? ANONYMOUS
                : new Caller(null, null, null, Set.of(), Set.of(), Map.of(), peer);
    }

    /** An authenticated caller: the subject ({@code sub}) and issuer ({@code iss}) of a verified token. */
    public static Builder authenticated(String subject, String issuer) {
        return new Builder(Objects.requireNonNull(subject, "subject"), Objects.requireNonNull(issuer, "issuer"));
    }

    /** Whether a verified token names this caller (a subject and an issuer). */
    public boolean authenticated() {
        return subject != null;
    }

    /** The token's subject ({@code sub}); empty when not authenticated. */
    public Optional<String> subject() {
        return Optional.ofNullable(subject);
    }

    /** The token's issuer ({@code iss}); empty when not authenticated. */
    public Optional<String> issuer() {
        return Optional.ofNullable(issuer);
    }

    /** The OAuth client the token was issued to ({@code azp} or {@code client_id}), when the token says. */
    public Optional<String> clientId() {
        return Optional.ofNullable(clientId);
    }

    /** The token's scopes ({@code scope} or {@code scp}). */
    public Set<String> scopes() {
        return scopes;
    }

    /** The roles the configured role claims grant ({@code roles}, {@code realm_access.roles}, {@code groups}...). */
    public Set<String> roles() {
        return roles;
    }

    /** All claims of the verified token, as JSON values (strings, numbers, booleans, lists, maps). */
    public Map<String, Object> claims() {
        return claims;
    }

    /** The workload that called, from the connection's client certificate; anonymous without mutual TLS. */
    public Peer peer() {
        return peer;
    }

    /** Whether the token grants this scope. */
    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }

    /** Whether the token grants this role. */
    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    /**
     * Who this caller is, as one stable string: {@code <issuer> <subject>} (and {@code <client id>}) when
     * authenticated, the peer's identity with mutual TLS, else empty. Chassis scopes Idempotency-Keys by it.
     */
    public Optional<String> principal() {
        if (subject != null) {
            return Optional.of(issuer + " " + subject + (clientId == null ? "" : " " + clientId));
        }
        return peer.identity();
    }

    @Override
    public String toString() {
        if (subject != null) {
            return "Caller[" + subject + " from " + issuer + (peer == Peer.anonymous() ? "" : ", peer " + peer) + "]";
        }
        return "Caller[anonymous" + (peer == Peer.anonymous() ? "" : ", peer " + peer) + "]";
    }

    /** Builds an authenticated {@link Caller}. */
    public static final class Builder {
        private final String subject;
        private final String issuer;
        private String clientId;
        private Set<String> scopes = Set.of();
        private Set<String> roles = Set.of();
        private Map<String, Object> claims = Map.of();
        private Peer peer = Peer.anonymous();

        private Builder(String subject, String issuer) {
            this.subject = subject;
            this.issuer = issuer;
        }

        /** The OAuth client the token was issued to. */
        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        /** The granted scopes. */
        public Builder scopes(Set<String> scopes) {
            this.scopes = Set.copyOf(scopes);
            return this;
        }

        /** The granted roles. */
        public Builder roles(Set<String> roles) {
            this.roles = Set.copyOf(roles);
            return this;
        }

        /** The token's claims. */
        public Builder claims(Map<String, Object> claims) {
            this.claims = Collections.unmodifiableMap(new LinkedHashMap<>(claims));
            return this;
        }

        /** The workload that called (mutual TLS). */
        public Builder peer(Peer peer) {
            this.peer = Objects.requireNonNull(peer, "peer");
            return this;
        }

        public Caller build() {
            return new Caller(subject, issuer, clientId, scopes, roles, claims, peer);
        }
    }
}
