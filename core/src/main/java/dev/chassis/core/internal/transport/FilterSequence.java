package dev.chassis.core.internal.transport;

import java.util.List;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Chassis' own filters of a port (lifecycle, forwarded headers, telemetry, concurrency limit, deadlines), run as one
 * Helidon filter: in order, each calling the next through {@link FilterChain#proceed()}, the last the rest of
 * Helidon's chain. It behaves as Helidon's chain does for them — Helidon handles errors only around the routing, so an
 * exception a filter throws reaches the filters before it either way — at one small object per request instead of
 * Helidon's iterator, proceeder and checks per filter. The extensions' filters stay Helidon filters. Not API.
 */
public final class FilterSequence implements Filter {
    private final Filter[] filters;

    public FilterSequence(List<Filter> filters) {
        this.filters = filters.toArray(Filter[]::new);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        new Run(filters, chain, req, res).proceed();
    }

    /** One request's way through the sequence. Not thread-safe: a request runs on one thread. */
    private static final class Run implements FilterChain {
        private final Filter[] filters;
        private final FilterChain rest;
        private final RoutingRequest req;
        private final RoutingResponse res;
        private int next;

        Run(Filter[] filters, FilterChain rest, RoutingRequest req, RoutingResponse res) {
            this.filters = filters;
            this.rest = rest;
            this.req = req;
            this.res = res;
        }

        @Override
        public void proceed() {
            int i = next++;
            if (i < filters.length) {
                filters[i].filter(this, req, res);
            } else if (i == filters.length) {
                rest.proceed();
            } else {
                throw new IllegalStateException("a Chassis filter proceeded twice with one request");
            }
        }
    }
}
