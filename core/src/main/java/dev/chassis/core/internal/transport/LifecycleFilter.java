package dev.chassis.core.internal.transport;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * The first filter of every HTTP request: counts it {@linkplain InFlight in flight} (so shutdown can wait for it),
 * asks HTTP/1.1 clients to reconnect elsewhere while the service drains, and closes the connection after answering a
 * request that sent {@code Connection: close} — Helidon 4.5.0 answers with {@code Connection: close} but keeps the
 * connection open (Helidon issue 12324). Not API.
 */
public final class LifecycleFilter implements Filter {
    private final InFlight inFlight;

    public LifecycleFilter(InFlight inFlight) {
        this.inFlight = inFlight;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        inFlight.enter();
        boolean http1 = req.prologue().protocolVersion().startsWith("1.");
        boolean draining = inFlight.draining();
        boolean close;
        try {
            // contains() first: a hashed lookup; containsToken() streams over the values (per-request garbage)
            close = http1 && (draining || req.headers().contains(HeaderNames.CONNECTION)
                    && req.headers().containsToken(HeaderValues.CONNECTION_CLOSE));
            if (close && draining) {
                res.header(HeaderValues.CONNECTION_CLOSE);
            }
            chain.proceed();
        } finally {
            inFlight.exit();
        }
        if (close && res.isSent()) {
            throw new CloseConnectionException("closing the connection after the response, as asked");
        }
    }
}
