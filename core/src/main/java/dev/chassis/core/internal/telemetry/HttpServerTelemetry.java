package dev.chassis.core.internal.telemetry;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import dev.chassis.core.Peer;
import dev.chassis.core.http.Origin;
import dev.chassis.core.internal.http.TraceIds;
import dev.chassis.core.internal.http.server.ErrorResponder;
import dev.chassis.core.internal.shared.CallOrigin;
import dev.chassis.core.internal.shared.CallPeer;
import dev.chassis.core.internal.shared.TraceContextHeaders;
import dev.chassis.core.internal.tls.Peers;
import dev.chassis.core.internal.transport.Origins;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerRequestHeaders;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;

/**
 * The server span and the request metrics of every HTTP request: continues the caller's W3C trace context,
 * makes the span current for the handler (and for the error handler, which Helidon runs inside the filter
 * chain), names it by route template once routing has matched one, and records
 * {@code http.server.request.duration} and {@code http.server.active_requests}. Not API.
 */
public final class HttpServerTelemetry implements Filter {
    private static final HeaderName TRACEPARENT = HeaderNames.create(TraceContextHeaders.TRACEPARENT);
    private static final HeaderName TRACESTATE = HeaderNames.create(TraceContextHeaders.TRACESTATE);
    private static final HeaderName BAGGAGE = HeaderNames.create("baggage");
    /** The other propagators' header names (B3's, custom ones): a few fixed names, created once each. */
    private static final Map<String, HeaderName> HEADER_NAMES = new ConcurrentHashMap<>();
    private static final TextMapGetter<ServerRequestHeaders> GETTER = TraceContextHeaders.getter((headers, key) ->
            headers.all(switch (key) {
                case TraceContextHeaders.TRACEPARENT -> TRACEPARENT;
                case TraceContextHeaders.TRACESTATE -> TRACESTATE;
                case "baggage" -> BAGGAGE;
                default -> HEADER_NAMES.computeIfAbsent(key, HeaderNames::create); // not one per request
            }, List::of));

    private final Telemetry telemetry;
    /** Requests in flight per method (index of {@link Telemetry#METHODS}), read when metrics are collected. */
    private final LongAdder[] active = new LongAdder[Telemetry.METHODS.size()];
    private final boolean[] activeSeen = new boolean[Telemetry.METHODS.size()];
    /** Per route template ("" when none matched): span names and metric attributes, built once each. */
    private final Map<String, RouteNames> routes = new ConcurrentHashMap<>();

    private final ErrorResponder errors;
    private final boolean forwarding;

    /**
     * @param errors the routing's error handler, to know what it will answer for an exception that a later
     *               filter throws (Helidon handles those after this filter has returned)
     * @param forwarding whether trusted proxies may have set the request's origin ({@code server.trusted-proxies});
     *                   without them the client is the connection's peer, read without building an origin
     */
    public HttpServerTelemetry(Telemetry telemetry, ErrorResponder errors, boolean forwarding) {
        this.telemetry = telemetry;
        this.errors = errors;
        this.forwarding = forwarding;
        for (int i = 0; i < active.length; i++) {
            active[i] = new LongAdder();
        }
        telemetry.meter.upDownCounterBuilder("http.server.active_requests").setUnit("{request}")
                .setDescription("Number of active HTTP server requests.")
                .buildWithCallback(m -> {
                    for (int i = 0; i < active.length; i++) {
                        if (activeSeen[i]) {
                            m.record(active[i].sum(), Attributes.of(Telemetry.HTTP_METHOD, Telemetry.METHODS.get(i),
                                    Telemetry.URL_SCHEME, "http"));
                        }
                    }
                });
    }

    /** What one route needs per request, so that recording allocates nothing once warm. Races only recompute. */
    private static final class RouteNames {
        private final String route; // null when no route matched
        private final String[] spanNames = new String[Telemetry.METHODS.size()];
        private final Attributes[][] byStatus = new Attributes[Telemetry.METHODS.size()][];

        RouteNames(String route) {
            this.route = route;
        }

        String spanName(int method) {
            String name = spanNames[method];
            if (name == null) {
                name = Telemetry.METHODS.get(method) + " " + route;
                spanNames[method] = name;
            }
            return name;
        }

        Attributes attributes(int method, int status) {
            Attributes[] statuses = byStatus[method];
            if (statuses == null) {
                statuses = new Attributes[600];
                byStatus[method] = statuses;
            }
            if (status < 0 || status >= statuses.length) {
                return metricAttributes(Telemetry.METHODS.get(method), route, status); // not a standard status: not cached
            }
            Attributes a = statuses[status];
            if (a == null) {
                a = metricAttributes(Telemetry.METHODS.get(method), route, status);
                statuses[status] = a;
            }
            return a;
        }
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        String original = req.prologue().method().text();
        int methodIndex = Telemetry.methodIndex(original);
        String method = Telemetry.METHODS.get(methodIndex);
        Context parent = TraceContextHeaders.extract(telemetry.propagator, req.headers(), GETTER);
        String client;
        String scheme;
        if (forwarding) {
            Origin origin = Origins.of(req);
            client = origin.clientAddress();
            scheme = origin.scheme();
        } else {
            client = Origins.peerAddress(req);
            scheme = req.isSecure() ? "https" : "http";
        }
        var builder = telemetry.tracer.spanBuilder(method)
                .setSpanKind(SpanKind.SERVER)
                .setParent(parent)
                .setAttribute(Telemetry.HTTP_METHOD, method)
                .setAttribute(Telemetry.URL_SCHEME, scheme)
                .setAttribute(Telemetry.CLIENT_ADDRESS, client)
                .setAttribute(Telemetry.PROTOCOL_VERSION, req.prologue().protocolVersion());
        if (telemetry.rawPaths) {
            // the path only, never the query; off by default: ids in paths are personal data more often than not
            builder.setAttribute(Telemetry.URL_PATH, req.prologue().uriPath().rawPath());
        }
        if (!method.equals(original)) {
            builder.setAttribute(Telemetry.HTTP_METHOD_ORIGINAL, original);
        }
        req.headers().first(HeaderNames.USER_AGENT).ifPresent(ua -> builder.setAttribute(Telemetry.USER_AGENT, ua));
        Peer peer = null;
        if (req.isSecure()) {
            peer = Peers.of(req);
            if (peer.authenticated()) {
                builder.setAttribute(Telemetry.PEER_IDENTITY, peer.identity().orElseThrow());
                builder.setAttribute(Telemetry.TLS_CLIENT_SUBJECT, peer.subject().orElseThrow());
            } else {
                peer = null;
            }
        }
        Span span = builder.startSpan();
        LongAdder inFlight = active[methodIndex];
        if (!activeSeen[methodIndex]) {
            activeSeen[methodIndex] = true; // written once: no cache line bouncing between cores on every request
        }
        inFlight.increment();
        Throwable failure = null;
        Context current = parent.with(span).with(CallOrigin.CLIENT_ADDRESS, client);
        // the caller and its address, for what runs inside the request (the log lines' peer and client)
        Scope scope = (peer == null ? current : current.with(CallPeer.REQUEST, peer)).makeCurrent();
        try {
            chain.proceed();
        } catch (RuntimeException | Error e) {
            // a later filter threw (a handler's exceptions are answered inside proceed()): Helidon answers it
            // after this filter, with the problem's trace id if we leave it
            failure = e;
            TraceIds.remember(req, span.getSpanContext().getTraceId());
            throw e;
        } finally {
            scope.close();
            inFlight.decrement();
            // a ServerConnectionException: the connection failed while the answer was written (the client hung up);
            // Helidon answers nothing more, and the status is the one the service gave
            int status = failure != null && !res.isSent() && !(failure instanceof ServerConnectionException)
                    ? errors.statusOf(failure) : res.status().code();
            String route = req.matchingPattern().orElse(null);
            RouteNames names = routes.computeIfAbsent(route != null && route.startsWith("/") ? route : "",
                    r -> new RouteNames(r.isEmpty() ? null : r));
            if (names.route != null) {
                span.updateName(names.spanName(methodIndex));
                span.setAttribute(Telemetry.HTTP_ROUTE, names.route);
            }
            span.setAttribute(Telemetry.HTTP_STATUS, Telemetry.status(status));
            if (status >= 500) {
                span.setStatus(StatusCode.ERROR);
                span.setAttribute(Telemetry.ERROR_TYPE, Integer.toString(status));
            }
            if (failure != null) {
                span.recordException(failure);
            }
            span.end();
            // the root context: no thread-local lookup, and no exemplar sampling on the hot path
            telemetry.httpServerDuration.record(Telemetry.seconds(start), names.attributes(methodIndex, status),
                    Context.root());
        }
    }

    private static Attributes metricAttributes(String method, String route, int status) {
        AttributesBuilder b = Attributes.builder()
                .put(Telemetry.HTTP_METHOD, method)
                .put(Telemetry.URL_SCHEME, "http")
                .put(Telemetry.HTTP_STATUS, status);
        if (route != null) {
            b.put(Telemetry.HTTP_ROUTE, route);
        }
        if (status >= 500) {
            b.put(Telemetry.ERROR_TYPE, Integer.toString(status));
        }
        return b.build();
    }
}
