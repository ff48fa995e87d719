package dev.chassis.testing;

import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import dev.chassis.core.RunningService;

/**
 * Checks a running service's real answers against its own OpenAPI document (chassis-openapi's {@code /openapi}): each
 * request given is sent over a real socket, and its answer must be one the document lists for that operation — the
 * status (exactly, or by its {@code 2XX} range), the media type, and the body valid against the response's JSON
 * Schema (draft 2020-12, with networknt's validator). A request to a path the document does not have must get a 404
 * problem, and one with a method its path does not have a 405 problem. A handler whose real answer differs from its
 * document fails the check:
 *
 * <pre>{@code
 * Conformance.openApi(service.running())
 *         .request("GET", "/books/42")
 *         .request("POST", "/books", "{\"title\":\"Dune\"}")
 *         .check();
 * }</pre>
 *
 * {@link #check()} reports every violation at once, in an {@link AssertionError}. Not thread-safe.
 */
public final class OpenApiContract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private final TestClient client;
    private final TestClient documentClient;
    private final List<Request> requests = new ArrayList<>();

    private record Request(String method, String path, String body, String[] headers) {
    }

    private OpenApiContract(URI base, URI documentBase) {
        this.client = new TestClient(base);
        this.documentClient = documentBase.equals(base) ? client : new TestClient(documentBase);
    }

    /** The check of a running service: its document from its management port when it has one. */
    public static OpenApiContract of(RunningService service) {
        return of(service.uri(), service.managementUri());
    }

    /**
     * The check of the service at {@code base}, whose document is served at {@code documentBase}{@code /openapi}
     * ({@code base} itself when the service has no management port).
     */
    public static OpenApiContract of(URI base, URI documentBase) {
        return new OpenApiContract(Objects.requireNonNull(base, "base"), Objects.requireNonNull(documentBase, "documentBase"));
    }

    /** Sends a request without a body. */
    public OpenApiContract request(String method, String path) {
        return request(method, path, null);
    }

    /**
     * Sends a request with this body ({@code application/json} unless a {@code Content-Type} header is given) and
     * these headers (name, value, name, value...).
     */
    public OpenApiContract request(String method, String path, String body, String... headers) {
        if (headers.length % 2 != 0) {
            throw new IllegalArgumentException("headers come in name-value pairs, but an odd number (" + headers.length
                    + ") was given");
        }
        requests.add(new Request(Objects.requireNonNull(method, "method").toUpperCase(Locale.ROOT),
                Objects.requireNonNull(path, "path"), body, headers.clone()));
        return this;
    }

    /**
     * Fetches the document, sends every request and checks every answer; throws an {@link AssertionError} listing
     * every violation.
     */
    public void check() {
        TestResponse fetched = documentClient.get("/openapi");
        if (fetched.status() != 200) {
            throw new AssertionError("GET /openapi answered " + fetched.status() + ", not the document: is chassis-openapi"
                    + " on the class path (and enabled)?");
        }
        JsonNode document = fetched.json();
        if (requests.isEmpty()) {
            throw new AssertionError("no request to check: add some with request(...)");
        }
        List<String> violations = new ArrayList<>();
        for (Request r : requests) {
            TestResponse answer = client.send(r.method(), r.path(), r.body(), r.headers());
            violations.addAll(check(document, r.method(), r.path(), answer));
        }
        if (!violations.isEmpty()) {
            throw new AssertionError("the service's answers differ from its OpenAPI document:\n  - "
                    + String.join("\n  - ", violations));
        }
    }

    /** The violations of one answer to {@code method path}. */
    static List<String> check(JsonNode document, String method, String path, TestResponse answer) {
        String request = method + " " + path;
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        String template = template(document.path("paths"), bare);
        JsonNode responses;
        if (template == null) {
            responses = problemOnly(document, 404);
        } else {
            JsonNode item = document.path("paths").path(template);
            String key = method.equals("HEAD") && !item.has("head") ? "get" : method.toLowerCase(Locale.ROOT);
            if (method.equals("OPTIONS") && !item.has("options")) {
                return answer.status() == 204 ? List.of()
                        : List.of(request + " answered " + answer.status() + ", not 204 with Allow (OPTIONS)");
            }
            responses = item.has(key) ? item.path(key).path("responses") : problemOnly(document, 405);
            request = request + " (" + method + " " + template + ")";
        }
        JsonNode response = response(responses, answer.status());
        if (response == null) {
            List<String> listed = new ArrayList<>();
            responses.fieldNames().forEachRemaining(listed::add);
            return List.of(request + " answered " + answer.status() + ", which the document does not list (it lists "
                    + String.join(", ", listed) + ")" + excerpt(answer));
        }
        response = resolve(document, response);
        return body(document, request, response, answer, method.equals("HEAD"));
    }

    private static List<String> body(JsonNode document, String request, JsonNode response, TestResponse answer,
                                     boolean head) {
        String body = answer.body() == null ? "" : answer.body();
        JsonNode content = response.path("content");
        if (body.isEmpty() || head) {
            return List.of();
        }
        if (content.isEmpty()) {
            return List.of(request + " answered " + answer.status() + " with a body, where the document lists none"
                    + excerpt(answer));
        }
        String type = answer.header("Content-Type").map(t -> t.split(";", 2)[0].trim().toLowerCase(Locale.ROOT)).orElse("");
        JsonNode media = media(content, type);
        if (media == null) {
            List<String> listed = new ArrayList<>();
            content.fieldNames().forEachRemaining(listed::add);
            return List.of(request + " answered " + answer.status() + " as '" + type + "', where the document lists "
                    + String.join(", ", listed));
        }
        if (!media.has("schema") || !(type.equals("application/json") || type.endsWith("+json"))) {
            return List.of();
        }
        ObjectNode schema = JSON.createObjectNode();
        schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.set("components", document.path("components"));
        schema.putArray("allOf").add(media.path("schema"));
        List<Error> errors;
        try {
            errors = SCHEMAS.getSchema(schema.toString(), InputFormat.JSON).validate(body, InputFormat.JSON);
        } catch (RuntimeException e) {
            return List.of(request + " answered " + answer.status() + " with a body that is not JSON: " + e.getMessage()
                    + excerpt(answer));
        }
        List<String> violations = new ArrayList<>();
        for (Error e : errors) {
            violations.add(request + " answered " + answer.status() + " with a body its schema refuses: "
                    + e.getInstanceLocation() + " " + e.getMessage() + excerpt(answer));
        }
        return violations;
    }

    /** The document's path template that {@code path} matches, the most literal one first; null for none. */
    static String template(JsonNode paths, String path) {
        String[] segments = path.split("/", -1);
        String best = null;
        int bestLiterals = -1;
        for (Iterator<String> it = paths.fieldNames(); it.hasNext(); ) {
            String candidate = it.next();
            String[] parts = candidate.split("/", -1);
            if (parts.length != segments.length) {
                continue;
            }
            int literals = 0;
            boolean matches = true;
            for (int i = 0; i < parts.length && matches; i++) {
                if (parts[i].startsWith("{") && parts[i].endsWith("}")) {
                    matches = !segments[i].isEmpty();
                } else {
                    matches = parts[i].equals(segments[i]);
                    literals++;
                }
            }
            if (matches && literals > bestLiterals) {
                best = candidate;
                bestLiterals = literals;
            }
        }
        return best;
    }

    /** The response listed for {@code status}: exactly, by its range ({@code 4XX}), or {@code default}; null for none. */
    private static JsonNode response(JsonNode responses, int status) {
        String exact = Integer.toString(status);
        if (responses.has(exact)) {
            return responses.get(exact);
        }
        String range = (status / 100) + "XX";
        return responses.has(range) ? responses.get(range) : responses.get("default");
    }

    /** The answers of a route the document does not have: the problem of {@code status} (404 or 405). */
    private static JsonNode problemOnly(JsonNode document, int status) {
        ObjectNode responses = JSON.createObjectNode();
        JsonNode listed = document.path("components").path("responses").path("Problem" + status);
        responses.set(Integer.toString(status), listed.isMissingNode()
                ? JSON.createObjectNode().put("$ref", "#/components/responses/Problem" + status) : listed);
        return responses;
    }

    /** Follows a {@code $ref} to {@code #/components/responses/...}. */
    private static JsonNode resolve(JsonNode document, JsonNode response) {
        JsonNode ref = response.get("$ref");
        if (ref == null || !ref.asText().startsWith("#/")) {
            return response;
        }
        JsonNode target = document.at(ref.asText().substring(1));
        return target.isMissingNode() ? JSON.createObjectNode() : target;
    }

    /** The content entry for a media type: exact, then {@code type/*}, then {@code *}{@code /*}. */
    private static JsonNode media(JsonNode content, String type) {
        if (content.has(type)) {
            return content.get(type);
        }
        String wildcard = type.contains("/") ? type.substring(0, type.indexOf('/')) + "/*" : "";
        if (content.has(wildcard)) {
            return content.get(wildcard);
        }
        return content.get("*/*");
    }

    private static String excerpt(TestResponse answer) {
        String body = answer.body() == null ? "" : answer.body();
        return body.isEmpty() ? "" : "; body: " + (body.length() > 200 ? body.substring(0, 200) + "..." : body);
    }
}
