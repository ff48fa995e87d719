package dev.chassis.core.internal.http.server;

import dev.chassis.core.Caller;
import dev.chassis.core.Problem;
import dev.chassis.core.internal.tls.Peers;
import dev.chassis.core.spi.AccessPolicy;
import io.helidon.webserver.http.ServerRequest;

/** The {@link Caller} of an HTTP request, and the problem a refused one gets. Not API. */
public final class Callers {
    private Callers() {
    }

    /**
     * The caller an authenticating filter registered in the request's context; without one, anonymous with the
     * connection's peer.
     */
    public static Caller of(ServerRequest req) {
        return req.context().get(Caller.class).orElseGet(() -> Caller.anonymous(Peers.of(req)));
    }

    /** 401 or 403, with the challenge as {@code WWW-Authenticate} (RFC 6750). */
    static Problem problem(AccessPolicy.Denial denial) {
        Problem.Builder problem = Problem.builder(denial.authenticated() ? 403 : 401).detail(denial.detail());
        if (denial.challenge() != null) {
            problem.header("WWW-Authenticate", denial.challenge());
        }
        return problem.build();
    }
}
