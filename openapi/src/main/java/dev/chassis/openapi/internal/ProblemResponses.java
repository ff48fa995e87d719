package dev.chassis.openapi.internal;

import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.chassis.core.Json;

/**
 * The {@code application/problem+json} answers (RFC 9457) every operation may reference, as
 * {@code #/components/responses/Problem<status>}, and the {@code Problem} schema they share: Chassis' error model
 * (docs/standard.md §2). Only the statuses the document references are written. Not API.
 */
final class ProblemResponses {
    static final String MEDIA_TYPE = "application/problem+json";
    private static final Map<Integer, String> WHEN = Map.ofEntries(
            Map.entry(400, "Bad Request: a parameter or the body is malformed or invalid (errors lists each field)"),
            Map.entry(401, "Unauthorized: a credential is missing or was refused (WWW-Authenticate says which)"),
            Map.entry(403, "Forbidden: the caller lacks a role, a scope or a workload identity"),
            Map.entry(404, "Not Found: no such resource, or no such path"),
            Map.entry(405, "Method Not Allowed: the path exists under other methods (Allow lists them)"),
            Map.entry(406, "Not Acceptable: the Accept header excludes application/json"),
            Map.entry(408, "Request Timeout: the request was not received in time"),
            Map.entry(409, "Conflict"),
            Map.entry(413, "Content Too Large: the body is larger than the service accepts"),
            Map.entry(415, "Unsupported Media Type: the body is not application/json"),
            Map.entry(422, "Unprocessable Content: the Idempotency-Key was used with another request"),
            Map.entry(429, "Too Many Requests: a rate limit is reached (Retry-After says when to come back)"),
            Map.entry(500, "Internal Server Error: the service failed (the detail never carries its internals)"),
            Map.entry(502, "Bad Gateway: a downstream call failed"),
            Map.entry(503, "Service Unavailable: overloaded, too slow, a circuit is open or a downstream is unreachable"
                    + " (Retry-After says when to come back)"),
            Map.entry(504, "Gateway Timeout: a downstream did not answer in time"));

    private final Map<Integer, ObjectNode> used = new TreeMap<>();

    /** A reference to the answer with {@code status}, which is then written in {@link #components()}. */
    ObjectNode ref(int status) {
        used.computeIfAbsent(status, ProblemResponses::response);
        return Json.mapper().createObjectNode().put("$ref", "#/components/responses/Problem" + status);
    }

    /** The responses referenced so far, by name. */
    ObjectNode components() {
        ObjectNode all = Json.mapper().createObjectNode();
        used.forEach((status, response) -> all.set("Problem" + status, response));
        return all;
    }

    /**
     * Writes the answers every service gives outside its operations: 404 for a path the document does not have, 405
     * for a method its path does not have.
     */
    void outsideOperations() {
        used.computeIfAbsent(404, ProblemResponses::response);
        used.computeIfAbsent(405, ProblemResponses::response);
    }

    private static ObjectNode response(int status) {
        ObjectNode response = Json.mapper().createObjectNode();
        response.put("description", WHEN.getOrDefault(status, "a problem (RFC 9457)"));
        ObjectNode headers = Json.mapper().createObjectNode();
        if (status == 429 || status == 503) {
            headers.set("Retry-After", header("seconds to wait before trying again", "integer"));
        }
        if (status == 401 || status == 403) {
            headers.set("WWW-Authenticate", header("the challenge (RFC 6750)", "string"));
        }
        if (status == 405) {
            headers.set("Allow", header("the methods the path has", "string"));
        }
        if (!headers.isEmpty()) {
            response.set("headers", headers);
        }
        response.putObject("content").putObject(MEDIA_TYPE).putObject("schema").put("$ref", "#/components/schemas/Problem");
        return response;
    }

    private static ObjectNode header(String description, String type) {
        ObjectNode header = Json.mapper().createObjectNode().put("description", description);
        header.putObject("schema").put("type", type);
        return header;
    }

    /** The schema of every problem: Chassis' problem details, open to extension members. */
    static ObjectNode schema() {
        ObjectNode schema = Json.mapper().createObjectNode();
        schema.put("type", "object");
        schema.put("description", "RFC 9457 problem details");
        ObjectNode p = schema.putObject("properties");
        p.putObject("type").put("type", "string").put("format", "uri-reference");
        p.putObject("title").put("type", "string");
        p.putObject("status").put("type", "integer").put("minimum", 400).put("maximum", 599);
        p.putObject("detail").put("type", "string");
        p.putObject("instance").put("type", "string").put("format", "uri-reference");
        p.putObject("traceId").put("type", "string").put("pattern", "^[0-9a-f]{32}$");
        ObjectNode error = p.putObject("errors").put("type", "array").putObject("items");
        error.put("type", "object");
        error.putObject("properties").set("field", Json.mapper().createObjectNode().put("type", "string"));
        ((ObjectNode) error.get("properties")).putObject("message").put("type", "string");
        error.putArray("required").add("field").add("message");
        schema.putArray("required").add("type").add("title").add("status");
        return schema;
    }
}
