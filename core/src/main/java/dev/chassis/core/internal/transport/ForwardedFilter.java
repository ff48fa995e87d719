package dev.chassis.core.internal.transport;

import java.net.SocketAddress;
import java.util.List;
import java.util.function.Function;

import dev.chassis.core.http.Origin;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;

/**
 * Finds each request's {@link Origin} — from a trusted proxy's forwarded headers, else from the connection — before
 * any other filter, so that spans, problems and handlers see the client's address, scheme, host and prefix. Added
 * only when {@code server.trusted-proxies} is set. Not API.
 */
public final class ForwardedFilter implements Filter {
    private static final HeaderName FORWARDED = HeaderNames.create("Forwarded");
    private static final HeaderName FOR = HeaderNames.create("X-Forwarded-For");
    private static final HeaderName PROTO = HeaderNames.create("X-Forwarded-Proto");
    private static final HeaderName HOST = HeaderNames.create("X-Forwarded-Host");
    private static final HeaderName PREFIX = HeaderNames.create("X-Forwarded-Prefix");

    private final TrustedProxies trusted;
    private final boolean rfc7239;

    /**
     * @param trusted the proxies whose headers are believed
     * @param rfc7239 read {@code Forwarded} (RFC 7239) and ignore {@code X-Forwarded-For/-Proto/-Host}; else the
     *                reverse (a proxy passes on the set it does not write, as the client sent it)
     */
    public ForwardedFilter(TrustedProxies trusted, boolean rfc7239) {
        this.trusted = trusted;
        this.rfc7239 = rfc7239;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (trusted.trusts(req.remotePeer().address())) {
            String prefix = String.join(",", req.headers().all(PREFIX, List::of));
            Forwarded.Said said = rfc7239
                    ? Forwarded.readForwarded(trusted, req.headers().all(FORWARDED, List::of), prefix)
                    : Forwarded.readXForwarded(trusted, req.headers().all(FOR, List::of),
                    String.join(",", req.headers().all(PROTO, List::of)),
                    String.join(",", req.headers().all(HOST, List::of)), prefix);
            req.context().register(Origin.class, origin(req, said));
        }
        chain.proceed();
    }

    /**
     * The client of a gRPC call: from a trusted proxy's {@code forwarded} or {@code x-forwarded-for} metadata (the
     * set {@code rfc7239} names; {@code metadata} gives every value of a key), else the connection's peer; null when
     * the peer has no IP address.
     */
    public static String clientAddress(TrustedProxies trusted, boolean rfc7239, SocketAddress peer,
                                       Function<String, List<String>> metadata) {
        if (!trusted.none() && trusted.trusts(peer)) { // the metadata is read only from a trusted proxy
            Forwarded.Said said = rfc7239 ? Forwarded.readForwarded(trusted, metadata.apply("forwarded"), "")
                    : Forwarded.readXForwarded(trusted, metadata.apply("x-forwarded-for"), "", "", "");
            if (said.client() != null) {
                return said.client();
            }
        }
        return Origins.text(peer);
    }

    private static Origin origin(ServerRequest req, Forwarded.Said said) {
        Origin direct = Origins.direct(req);
        boolean forwarded = said.client() != null || said.proto() != null || said.host() != null || said.prefix() != null;
        return new Origin(said.client() != null ? said.client() : direct.clientAddress(),
                said.proto() != null ? said.proto() : direct.scheme(), said.host() != null ? said.host() : direct.host(),
                said.prefix() != null ? said.prefix() : "", forwarded);
    }
}
