package dev.chassis.samples.tracecontext;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import dev.chassis.core.Json;
import dev.chassis.core.Problem;
import dev.chassis.core.http.Body;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.Post;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * The W3C trace-context test harness's callback contract: {@code POST /test} with a JSON array of
 * {@code {"url": ..., "arguments": ...}}; for each, {@code POST} the arguments as JSON to the url, carrying
 * this request's trace context (each call with its own client span, so its own parent id); then answer.
 * Chassis continues the incoming context; the outgoing calls use the OpenTelemetry API directly, since
 * their URLs are not a declared client target (through {@code GlobalOpenTelemetry}, which
 * {@code chassis-observability} sets unless {@code observability.global: false}).
 *
 * <p>This service calls whatever URL it is given: it is a test fixture for the harness, to run on a machine
 * of your own, never exposed to a network.
 */
@Path("/test")
public final class HarnessEndpoint {
    /** One callback the harness asks for. */
    public record Callback(String url, JsonNode arguments) {
    }

    private final WebClient client = WebClient.builder()
            .connectTimeout(Duration.ofSeconds(2))
            .readTimeout(Duration.ofSeconds(10))
            .followRedirects(false)
            .build();

    @Post
    public void test(@Body List<Callback> callbacks) {
        for (Callback c : callbacks) {
            if (c == null || c.url() == null) {
                throw Problem.badRequest("every entry needs a url");
            }
            URI target;
            try {
                target = new URI(c.url());
            } catch (URISyntaxException e) {
                throw Problem.badRequest("a callback url must be an absolute http(s) URL");
            }
            if (!("http".equals(target.getScheme()) || "https".equals(target.getScheme())) || target.getHost() == null) {
                throw Problem.badRequest("a callback url must be an absolute http(s) URL");
            }
        }
        for (Callback c : callbacks) {
            call(c);
        }
    }

    private void call(Callback c) {
        var otel = GlobalOpenTelemetry.get();
        Span span = otel.getTracer("dev.chassis.samples.tracecontext").spanBuilder("POST")
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute("url.full", c.url())
                .startSpan();
        Scope scope = span.makeCurrent();
        try {
            HttpClientRequest request = client.post(c.url());
            otel.getPropagators().getTextMapPropagator().inject(Context.current(), request,
                    (r, k, v) -> r.header(HeaderNames.create(k), v));
            byte[] body = Json.mapper().writeValueAsBytes(c.arguments() == null ? List.of() : c.arguments());
            try (HttpClientResponse response = request.header(HeaderNames.CONTENT_TYPE, "application/json").submit(body)) {
                span.setAttribute("http.response.status_code", response.status().code());
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        } catch (RuntimeException e) {
            // the harness's callback may be gone; the test it runs decides what that means
            span.recordException(e);
        } finally {
            scope.close();
            span.end();
        }
    }
}
