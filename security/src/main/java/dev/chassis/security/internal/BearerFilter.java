package dev.chassis.security.internal;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import dev.chassis.core.Caller;
import dev.chassis.core.Peer;
import dev.chassis.core.Problem;
import dev.chassis.core.internal.shared.CurrentCaller;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.opentelemetry.api.trace.Span;

/**
 * Authenticates HTTP requests before routing, before any body is read: a valid bearer token becomes the request's
 * {@link Caller} (in the request context, and bound to the thread around the rest of the chain); an invalid one
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
        Authenticator.Outcome outcome = authenticator.authenticate(values, peer(req));
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
        try {
            CurrentCaller.call(caller, () -> {
                chain.proceed();
                return null;
            });
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The client certificate the connection's handshake verified, as the core's {@code Peer} parameter reads it. */
    private static Peer peer(RoutingRequest req) {
        if (!req.isSecure()) {
            return Peer.anonymous();
        }
        return req.remotePeer().tlsCertificates().map(chain -> {
            List<X509Certificate> x509 = new ArrayList<>(chain.length);
            for (Certificate c : chain) {
                if (c instanceof X509Certificate x) {
                    x509.add(x);
                }
            }
            return Peer.of(x509);
        }).orElse(Peer.anonymous());
    }
}
