package dev.chassis.core.internal.http.client;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chassis.core.Json;
import dev.chassis.core.Problem;

/** Reads a downstream's error answer into a {@link Problem}. Not API. */
final class RemoteProblems {
    private RemoteProblems() {
    }

    static Problem read(int status, byte[] body, String contentType) {
        int s = status >= 400 && status <= 599 ? status : 502;
        if (contentType.contains("json") && body.length > 0) {
            try {
                JsonNode j = Json.mapper().readTree(body);
                if (j != null && j.isObject()) {
                    return fromJson(s, j);
                }
            } catch (IOException | RuntimeException notJson) {
                // fall through: an error body that is not a problem
            }
        }
        String excerpt = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8).strip();
        return Problem.builder(s)
                .detail(status == s ? (excerpt.isEmpty() ? null : excerpt) : "unexpected status " + status)
                .build();
    }

    private static Problem fromJson(int status, JsonNode j) {
        Problem.Builder b = Problem.builder(status);
        if (j.hasNonNull("type")) {
            try {
                b.type(URI.create(j.get("type").asText()));
            } catch (IllegalArgumentException ignored) {
                // not a URI: keep about:blank
            }
        }
        if (j.hasNonNull("title")) {
            b.title(j.get("title").asText());
        }
        if (j.hasNonNull("detail")) {
            b.detail(j.get("detail").asText());
        }
        if (j.hasNonNull("instance")) {
            try {
                b.instance(URI.create(j.get("instance").asText()));
            } catch (IllegalArgumentException ignored) {
                // not a URI
            }
        }
        if (j.get("errors") instanceof JsonNode errors && errors.isArray()) {
            for (JsonNode e : errors) {
                if (e.hasNonNull("field") && e.hasNonNull("message")) {
                    b.error(e.get("field").asText(), e.get("message").asText());
                }
            }
        }
        Iterator<Map.Entry<String, JsonNode>> fields = j.properties().iterator();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            switch (f.getKey()) {
                case "type", "title", "status", "detail", "instance", "errors", "traceId" -> { }
                default -> b.extension(f.getKey(), f.getValue().isValueNode() ? f.getValue().asText() : f.getValue());
            }
        }
        return b.build();
    }
}
