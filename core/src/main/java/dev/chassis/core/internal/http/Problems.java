package dev.chassis.core.internal.http;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;

import dev.chassis.core.Json;
import dev.chassis.core.Problem;
import dev.chassis.core.internal.transport.Origins;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Header;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** Writes {@link Problem}s as {@code application/problem+json}. Not API. */
public final class Problems {
    /** {@code Content-Type: application/problem+json}. */
    public static final Header CONTENT_TYPE = HeaderValues.create(HeaderNames.CONTENT_TYPE, "application/problem+json");
    private static final ObjectWriter WRITER = Json.mapper().writerFor(Map.class);

    private Problems() {
    }

    /**
     * Sends the problem as the response, with the request's path (behind a trusted proxy's prefix) as {@code instance}
     * when none is set.
     */
    public static void send(ServerRequest req, ServerResponse res, Problem problem) {
        res.status(Statuses.of(problem.status()));
        problem.headers().forEach((name, value) -> res.header(HeaderNames.create(name), value));
        res.header(CONTENT_TYPE);
        URI instance = problem.instance() != null ? problem.instance() : safeInstance(req);
        res.send(toJson(problem, instance, TraceIds.of(req)));
    }

    /** The JSON body of a problem. */
    public static byte[] toJson(Problem problem, URI instance, String traceId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", problem.type().toString());
        body.put("title", problem.title());
        body.put("status", problem.status());
        if (problem.detail() != null) {
            body.put("detail", problem.detail());
        }
        if (instance != null) {
            body.put("instance", instance.toString());
        }
        if (traceId != null) {
            body.put("traceId", traceId);
        }
        if (!problem.errors().isEmpty()) {
            List<Map<String, String>> errors = problem.errors().stream()
                    .map(e -> Map.of("field", e.field(), "message", e.message()))
                    .toList();
            body.put("errors", errors);
        }
        body.putAll(problem.extensions());
        try {
            return WRITER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            // an extension value that cannot be written: answer without extensions rather than not at all
            body.keySet().retainAll(List.of("type", "title", "status", "detail", "instance", "traceId", "errors"));
            try {
                return WRITER.writeValueAsBytes(body);
            } catch (JsonProcessingException again) {
                throw new IllegalStateException("cannot write a problem body", again);
            }
        }
    }

    private static URI safeInstance(ServerRequest req) {
        try {
            return URI.create(Origins.of(req).prefix() + req.path().rawPath());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
