package dev.chassis.core.internal.telemetry;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientRequest;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapSetter;

/**
 * The client span and duration of one HTTP attempt to one instance of a target: a child of the current
 * span, whose context (and baggage) the request carries, so every attempt has its own parent id.
 * Not API.
 */
public final class HttpClientTelemetry {
    private static final TextMapSetter<HttpClientRequest> SETTER = (request, key, value) -> {
        if (request != null) {
            request.header(HeaderNames.create(key), value);
        }
    };

    private final Telemetry telemetry;
    private final String target;
    private static final int MAX_CACHED = 1024;
    private final Map<Key, Attributes> attributes = new ConcurrentHashMap<>();

    public HttpClientTelemetry(Telemetry telemetry, String target) {
        this.telemetry = telemetry;
        this.target = target;
    }

    private record Key(String method, String host, int port, int status, String error) {
    }

    /** One attempt in progress; {@link #end} it exactly once. */
    public final class Attempt {
        private final long start = System.nanoTime();
        private final Span span;
        private final String method;
        private final URI instance;

        private Attempt(Span span, String method, URI instance) {
            this.span = span;
            this.method = method;
            this.instance = instance;
        }

        /** Ends the attempt with the answer's status ({@code 0} when none came) and the failure, if any. */
        public void end(int status, Throwable failure) {
            String error = null;
            if (status > 0) {
                span.setAttribute(Telemetry.HTTP_STATUS, Telemetry.status(status));
                if (status >= 400) {
                    error = Integer.toString(status);
                }
            }
            if (failure != null) {
                error = failure.getClass().getName();
                span.recordException(failure);
            }
            if (error != null) {
                span.setStatus(StatusCode.ERROR);
                span.setAttribute(Telemetry.ERROR_TYPE, error);
            }
            span.end();
            Key key = new Key(method, instance.getHost(), port(instance), status, error);
            Attributes a = attributes.get(key);
            if (a == null) {
                a = metricAttributes(key);
                if (attributes.size() < MAX_CACHED) { // instances come and go (discovery): bound what is kept
                    attributes.putIfAbsent(key, a);
                }
            }
            telemetry.httpClientDuration.record(Telemetry.seconds(start), a, Context.root()); // no exemplar sampling
        }

        private Attributes metricAttributes(Key key) {
            AttributesBuilder b = Attributes.builder()
                    .put(Telemetry.HTTP_METHOD, key.method())
                    .put(Telemetry.SERVER_ADDRESS, key.host())
                    .put(Telemetry.SERVER_PORT, key.port())
                    .put(Telemetry.PEER_SERVICE, target);
            if (key.status() > 0) {
                b.put(Telemetry.HTTP_STATUS, key.status());
            }
            if (key.error() != null) {
                b.put(Telemetry.ERROR_TYPE, key.error());
            }
            return b.build();
        }
    }

    /** The port, or the scheme's default when the URI has none. */
    static int port(URI instance) {
        if (instance.getPort() >= 0) {
            return instance.getPort();
        }
        return "https".equals(instance.getScheme()) ? 443 : 80;
    }

    /** The instance's URI (its base path included) and the request path, without user info and without the query. */
    static String fullUrl(URI instance, String path) {
        String base = instance.getScheme() + "://" + instance.getHost() + (instance.getPort() >= 0 ? ":" + instance.getPort() : "")
                + (instance.getRawPath() == null ? "" : instance.getRawPath());
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path;
    }

    /** Starts an attempt and writes its trace context into the request; {@code null} when telemetry is off. */
    public Attempt start(String method, String template, URI instance, String path, HttpClientRequest request) {
        if (!telemetry.enabled()) {
            return null;
        }
        String m = Telemetry.method(method);
        var builder = telemetry.tracer.spanBuilder(m + " " + template)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(Telemetry.HTTP_METHOD, m)
                .setAttribute(Telemetry.URL_TEMPLATE, template)
                .setAttribute(Telemetry.SERVER_ADDRESS, instance.getHost())
                .setAttribute(Telemetry.SERVER_PORT, (long) port(instance))
                .setAttribute(Telemetry.PEER_SERVICE, target);
        if (telemetry.rawPaths) {
            builder.setAttribute(Telemetry.URL_FULL, fullUrl(instance, path)); // never the query
        }
        Span span = builder.startSpan();
        telemetry.propagator.inject(Context.current().with(span), request, SETTER);
        return new Attempt(span, m, instance);
    }
}
