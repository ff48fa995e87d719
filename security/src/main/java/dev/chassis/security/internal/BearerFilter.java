package dev.chassis.security.internal;

import java.util.List;

import dev.chassis.core.Caller;
import dev.chassis.core.Problem;
import dev.chassis.core.internal.shared.CallPeer;
import dev.chassis.core.internal.shared.CurrentCaller;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.opentelemetry.api.trace.Span;

/**
 * Authenticates HTTP requests before routing, before any body is read: a valid bearer token becomes the request's
 * {@link Caller} (in the request context, and bound to the thread — with the raw token, for clients that relay it — around the
 * rest of the chain); an invalid one
 * answers 401 with an RFC 6750 challenge; no token leaves the request anonymous for the access rules to judge.
 * Not API.
 */
final class BearerFilter implements Filter {
    private static final String ENDUSER_ID = "enduser.id";

    private final Authenticator authenticator;
    private final boolean spanEnduser;

    BearerFilter(Authenticator authenticator, boolean spanEnduser) {
        this.authenticator = authenticator;
        this.spanEnduser = spanEnduser;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        List<String> values = req.headers().all(HeaderNames.AUTHORIZATION, List::of);
        if (values.isEmpty()) {
            chain.proceed();
            return;
        }
        Authenticator.Outcome outcome = authenticator.authenticate(values, CallPeer.of(req));
        if (outcome.error() != null) {
            throw Problem.builder(401).detail(outcome.description()).header("WWW-Authenticate", outcome.challenge())
                    .build();
        }
        Caller caller = outcome.caller();
        if (caller == null) {
            chain.proceed();
            return;
        }
        req.context().register(caller);
        if (spanEnduser) {
            Span.current().setAttribute(ENDUSER_ID, caller.subject().orElseThrow());
        }
        CurrentCaller.run(caller, outcome.token(), chain::proceed);
    }
}
