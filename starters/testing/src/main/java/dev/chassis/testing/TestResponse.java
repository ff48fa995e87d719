package dev.chassis.testing;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import dev.chassis.core.Json;

/**
 * An HTTP answer as a test sees it.
 *
 * @param status   the status code
 * @param headers  the headers (names in lower case)
 * @param body     the body as text
 * @param protocol the HTTP version ({@code HTTP_1_1}, {@code HTTP_2})
 */
public record TestResponse(int status, Map<String, List<String>> headers, String body, String protocol) {
    /** The first value of a header, if present (case-insensitive). */
    public Optional<String> header(String name) {
        return headers.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name))
                .flatMap(e -> e.getValue().stream())
                .findFirst();
    }

    /** The body as a JSON tree. */
    public JsonNode json() {
        try {
            return Json.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the body is not JSON: " + body, e);
        }
    }

    /** The body read as this type with the Chassis mapper. */
    public <T> T as(Class<T> type) {
        try {
            return Json.mapper().readValue(body, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the body is not a " + type.getSimpleName() + ": " + body, e);
        }
    }
}
