package dev.chassis.core.internal.telemetry;

import dev.chassis.core.spi.TraceContextHeaders;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.helidon.http.HeaderNames;
import io.helidon.http.ServerRequestHeaders;
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
    private static final TextMapGetter<ServerRequestHeaders> GETTER = new TextMapGetter<>() {
        @Override
        @SuppressWarnings("deprecation") // still abstract in 1.68; the propagators Chassis uses never call it
        public Iterable<String> keys(ServerRequestHeaders carrier) {
            return carrier.stream().map(h -> h.name()).toList();
        }

        @Override
        public String get(ServerRequestHeaders carrier, String key) {
            if (carrier == null) {
                return null;
            }
            return TraceContextHeaders.value(key, carrier.all(HeaderNames.create(key), List::of));
        }
    };

    private final Telemetry telemetry;
    /** The metric attributes of (method, route, status), built once each: routes and statuses are few. */
    private final Map<Key, Attributes> attributes = new ConcurrentHashMap<>();
    private final Map<String, Attributes> activeAttributes = new ConcurrentHashMap<>();

    public HttpServerTelemetry(Telemetry telemetry) {
        this.telemetry = telemetry;
    }

    private record Key(String method, String route, int status) {
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        String original = req.prologue().method().text();
        String method = Telemetry.method(original);
        Context parent = telemetry.propagator.extract(Context.root(), req.headers(), GETTER);
        var builder = telemetry.tracer.spanBuilder(method)
                .setSpanKind(SpanKind.SERVER)
                .setParent(parent)
                .setAttribute(Telemetry.HTTP_METHOD, method)
                .setAttribute(Telemetry.URL_PATH, req.prologue().uriPath().rawPath())
                .setAttribute(Telemetry.URL_SCHEME, req.isSecure() ? "https" : "http")
                .setAttribute(Telemetry.PROTOCOL_VERSION, req.prologue().protocolVersion());
        if (!method.equals(original)) {
            builder.setAttribute(Telemetry.HTTP_METHOD_ORIGINAL, original);
        }
        req.headers().first(HeaderNames.USER_AGENT).ifPresent(ua -> builder.setAttribute(Telemetry.USER_AGENT, ua));
        Span span = builder.startSpan();
        Attributes active = activeAttributes.computeIfAbsent(method, m -> Attributes.of(Telemetry.HTTP_METHOD, m,
                Telemetry.URL_SCHEME, "http"));
        telemetry.httpServerActive.add(1, active);
        Throwable failure = null;
        Scope scope = parent.with(span).makeCurrent();
        try {
            chain.proceed();
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            scope.close();
            telemetry.httpServerActive.add(-1, active);
            int status = failure != null && !res.isSent() ? 500 : res.status().code();
            String route = req.matchingPattern().filter(p -> p.startsWith("/")).orElse(null);
            if (route != null) {
                span.updateName(method + " " + route);
                span.setAttribute(Telemetry.HTTP_ROUTE, route);
            }
            span.setAttribute(Telemetry.HTTP_STATUS, status);
            if (status >= 500) {
                span.setStatus(StatusCode.ERROR);
                span.setAttribute(Telemetry.ERROR_TYPE, Integer.toString(status));
            }
            if (failure != null) {
                span.recordException(failure);
            }
            span.end();
            telemetry.httpServerDuration.record(Telemetry.seconds(start),
                    attributes.computeIfAbsent(new Key(method, route, status), HttpServerTelemetry::metricAttributes));
        }
    }

    private static Attributes metricAttributes(Key key) {
        AttributesBuilder b = Attributes.builder()
                .put(Telemetry.HTTP_METHOD, key.method())
                .put(Telemetry.URL_SCHEME, "http")
                .put(Telemetry.HTTP_STATUS, key.status());
        if (key.route() != null) {
            b.put(Telemetry.HTTP_ROUTE, key.route());
        }
        if (key.status() >= 500) {
            b.put(Telemetry.ERROR_TYPE, Integer.toString(key.status()));
        }
        return b.build();
    }
}
