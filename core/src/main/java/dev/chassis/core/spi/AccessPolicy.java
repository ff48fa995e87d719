package dev.chassis.core.spi;

import java.lang.reflect.Method;
import java.util.List;

import dev.chassis.core.Caller;

/**
 * Who may call what: asked once per HTTP handler and once per gRPC method at start-up, it answers the
 * {@link Rule} Chassis then checks on every request before any argument or message is read. An extension registers
 * one with {@link ExtensionContext.Calls#accessPolicy}; at most one policy per service.
 *
 * <p>Both methods may throw {@link dev.chassis.core.http.BindingException} (or {@link dev.chassis.core.config.ConfigException})
 * to stop start-up on a misuse, naming the method and the fix.
 */
public interface AccessPolicy {
    /** The rule of an annotated HTTP handler ({@link CallSite.Kind#HANDLER}); {@link Rule#PERMIT} for none. */
    Rule forHandler(CallSite site);

    /**
     * The rule of a gRPC method.
     *
     * @param fullMethodName {@code package.Service/Method}
     * @param service        the class of the service implementation (class-level annotations are read from it and
     *                       its supertypes)
     * @param implementation the service implementation's Java method that serves it, or null when it has none of
     *                       its own (a generated base method answering UNIMPLEMENTED, or a hand-built service)
     */
    Rule forRpc(String fullMethodName, Class<?> service, Method implementation);

    /**
     * What the rule of an HTTP handler asks of a caller, for documents that describe the service (OpenAPI); asked
     * once per handler after {@link #forHandler}. Null (the default) when the policy cannot say.
     */
    default Requirement requirement(CallSite site) {
        return null;
    }

    /**
     * What a rule asks of a caller, as a description; the {@link Rule} is what is checked. Immutable.
     *
     * @param token             a bearer token (RFC 6750) is needed
     * @param roles             one of these roles is needed (empty: none)
     * @param scopes            all of these scopes are needed (empty: none)
     * @param clientCertificate a client certificate (mutual TLS) is needed
     */
    record Requirement(boolean token, List<String> roles, List<String> scopes, boolean clientCertificate) {
        /** Everyone may call. */
        public static final Requirement NONE = new Requirement(false, List.of(), List.of(), false);

        public Requirement {
            roles = List.copyOf(roles);
            scopes = List.copyOf(scopes);
        }

        /** Whether the caller must prove who it is (a token or a certificate). */
        public boolean any() {
            return token || clientCertificate;
        }
    }

    /** The check of one handler or RPC, run per request with its {@link Caller}. Must not block. */
    @FunctionalInterface
    interface Rule {
        /** Allows everyone. */
        Rule PERMIT = caller -> null;

        /** Null to allow the call, else why it is refused. */
        Denial check(Caller caller);
    }

    /**
     * Why a call is refused. HTTP answers 401 (not authenticated) or 403 with a problem whose
     * {@code WWW-Authenticate} header is {@code challenge}; gRPC answers UNAUTHENTICATED or PERMISSION_DENIED.
     *
     * @param authenticated false for "who are you?" (401, UNAUTHENTICATED), true for "you may not" (403,
     *                      PERMISSION_DENIED)
     * @param challenge     the {@code WWW-Authenticate} value (RFC 6750), or null for none
     * @param detail        what the caller lacks, safe to show to it
     */
    record Denial(boolean authenticated, String challenge, String detail) {
        /** The caller must authenticate. */
        public static Denial unauthenticated(String challenge, String detail) {
            return new Denial(false, challenge, detail);
        }

        /** The caller is known but lacks a right. */
        public static Denial forbidden(String challenge, String detail) {
            return new Denial(true, challenge, detail);
        }
    }
}
