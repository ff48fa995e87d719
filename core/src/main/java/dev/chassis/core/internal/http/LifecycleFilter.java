package dev.chassis.core.internal.http;

import java.util.concurrent.atomic.LongAdder;

import io.helidon.http.HeaderValues;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * The first filter of every request: counts requests in flight (so shutdown can wait for them),
 * asks HTTP/1.1 clients to reconnect elsewhere while the service drains, and closes the connection
 * after answering a request that sent {@code Connection: close} — Helidon 4.5.0 answers with
 * {@code Connection: close} but keeps the connection open (Helidon issue 12324). Not API.
 */
public final class LifecycleFilter implements Filter {
    private final LongAdder inFlight = new LongAdder();
    private volatile boolean draining;

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        inFlight.increment();
        boolean http1 = req.prologue().protocolVersion().startsWith("1.");
        boolean close;
        try {
            // contains() first: a hashed lookup; containsToken() streams over the values (per-request garbage)
            close = http1 && (draining || req.headers().contains(io.helidon.http.HeaderNames.CONNECTION)
                    && req.headers().containsToken(HeaderValues.CONNECTION_CLOSE));
            if (close && draining) {
                res.header(HeaderValues.CONNECTION_CLOSE);
            }
            chain.proceed();
        } finally {
            inFlight.decrement();
        }
        if (close && res.isSent()) {
            throw new CloseConnectionException("closing the connection after the response, as asked");
        }
    }

    /** A request or call not seen by this filter (gRPC) starts: it counts as in flight. */
    public void enter() {
        inFlight.increment();
    }

    /** ... and ends. */
    public void exit() {
        inFlight.decrement();
    }

    /** Whether the service is draining: new work should be refused. */
    public boolean draining() {
        return draining;
    }

    /** From now on, HTTP/1.1 responses carry {@code Connection: close} and their connections are closed. */
    public void drain() {
        draining = true;
    }

    /** Requests that entered routing and have not finished. */
    public long inFlight() {
        return inFlight.sum();
    }
}
