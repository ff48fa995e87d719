package dev.chassis.openapi.internal;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.chassis.core.Json;
import dev.chassis.core.http.BindingException;
import dev.chassis.core.spi.AccessPolicy;
import dev.chassis.core.spi.HttpOperation;
import dev.chassis.openapi.ApiOperation;

/**
 * One operation of the document: its parameters, request body, success answer and every problem answer Chassis
 * gives for it (docs/standard.md §2) — 400 when it reads anything, 401/403 when the access policy asks for a
 * credential, 404 for an {@code Optional}, 406 when it answers JSON, 413/415 when it reads a body, 422 with
 * {@code Idempotency-Key}, the call policies' 429/503, and 500 and 503 always (a failure, the request timeout,
 * the concurrency limit). Not API.
 */
final class Operations {
    static final String BEARER = "bearer";
    static final String MUTUAL_TLS = "mutualTLS";

    private Operations() {
    }

    /**
     * What start-up checks of an operation's documentation (the document itself is built when first asked for).
     *
     * @throws BindingException when its {@code @ApiOperation} lists a problem status that is not an error status
     */
    static void check(HttpOperation op) {
        ApiOperation doc = op.handler().getAnnotation(ApiOperation.class);
        if (doc == null) {
            return;
        }
        for (int s : doc.problems()) {
            if (s < 400 || s > 599) {
                throw new BindingException(op.handler().getDeclaringClass().getName() + "." + op.handler().getName()
                        + " has @ApiOperation(problems = " + s + "); a problem status is 400–599. Fix: list error"
                        + " statuses only (the success status comes from @Status or the return type)");
            }
        }
    }

    static ObjectNode of(HttpOperation op, Schemas schemas, ProblemResponses problems, Set<String> schemes, String id) {
        ObjectNode o = Json.mapper().createObjectNode();
        ApiOperation doc = op.handler().getAnnotation(ApiOperation.class);
        o.putArray("tags").add(op.handler().getDeclaringClass().getSimpleName());
        if (doc != null && !doc.summary().isEmpty()) {
            o.put("summary", doc.summary());
        }
        if (doc != null && !doc.description().isEmpty()) {
            o.put("description", doc.description());
        }
        o.put("operationId", id);
        Set<Integer> statuses = new TreeSet<>(List.of(500, 503));
        if (!op.parameters().isEmpty() || op.idempotencyKey()) {
            ArrayNode parameters = o.putArray("parameters");
            for (HttpOperation.Parameter p : op.parameters()) {
                parameters.add(parameter(p, schemas));
            }
            if (op.idempotencyKey()) {
                ObjectNode key = parameters.addObject().put("name", "Idempotency-Key").put("in", "header")
                        .put("required", false).put("description", "repeats of a request with the same key and body get"
                                + " the first answer again (Idempotent-Replayed: true); with another body, 422");
                key.putObject("schema").put("type", "string");
                statuses.add(422);
            }
        }
        if (!op.parameters().isEmpty() || op.body() != null || op.validated()) {
            statuses.add(400);
        }
        if (op.body() != null) {
            o.set("requestBody", body(op, schemas));
            statuses.add(413);
            if (op.body() != String.class && op.body() != byte[].class) {
                statuses.add(415);
            }
        }
        if (op.answer() != null) {
            statuses.add(406);
        }
        if (op.optional()) {
            statuses.add(404);
        }
        statuses.addAll(op.statuses());
        if (doc != null) {
            check(op);
            for (int s : doc.problems()) {
                statuses.add(s);
            }
        }
        security(o, op.access(), statuses, schemes);
        ObjectNode responses = o.putObject("responses");
        responses.set(op.dynamicStatus() ? "2XX" : Integer.toString(op.status()), success(op, schemas));
        statuses.forEach(s -> responses.set(Integer.toString(s), problems.ref(s)));
        return o;
    }

    private static void security(ObjectNode o, AccessPolicy.Requirement access, Set<Integer> statuses, Set<String> schemes) {
        if (access == null || !access.any()) {
            return;
        }
        ObjectNode requirement = o.putArray("security").addObject();
        if (access.token()) {
            schemes.add(BEARER);
            ArrayNode scopes = requirement.putArray(BEARER);
            access.scopes().forEach(scopes::add);
        }
        if (access.clientCertificate()) {
            schemes.add(MUTUAL_TLS);
            requirement.putArray(MUTUAL_TLS);
        }
        if (!access.roles().isEmpty()) {
            ArrayNode roles = o.putArray("x-roles-allowed");
            access.roles().forEach(roles::add);
        }
        statuses.add(401);
        if (!access.roles().isEmpty() || !access.scopes().isEmpty() || access.clientCertificate()) {
            statuses.add(403);
        }
    }

    private static ObjectNode parameter(HttpOperation.Parameter p, Schemas schemas) {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("name", p.name());
        node.put("in", p.in().name().toLowerCase(Locale.ROOT));
        node.put("required", p.required());
        ObjectNode schema = schemas.inline(p.type());
        if (p.defaultValue() != null) {
            schema.set("default", typed(p.defaultValue(), p.type(), schema));
        }
        node.set("schema", schema);
        return node;
    }

    /** A default as the schema's type has it: {@code 10} for an integer, {@code ["a"]} for a list. */
    private static JsonNode typed(String value, Type type, ObjectNode schema) {
        if (type instanceof ParameterizedType pt && pt.getRawType() == List.class) {
            ArrayNode list = Json.mapper().createArrayNode();
            JsonNode items = schema.get("items");
            list.add(items instanceof ObjectNode i ? typed(value, pt.getActualTypeArguments()[0], i) : list.textNode(value));
            return list;
        }
        String kind = schema.path("type").asText("");
        try {
            return switch (kind) {
                case "integer" -> Json.mapper().getNodeFactory().numberNode(Long.parseLong(value.trim()));
                case "number" -> Json.mapper().getNodeFactory().numberNode(Double.parseDouble(value.trim()));
                case "boolean" -> Json.mapper().getNodeFactory().booleanNode(Boolean.parseBoolean(value.trim()));
                default -> Json.mapper().getNodeFactory().textNode(value);
            };
        } catch (NumberFormatException e) {
            return Json.mapper().getNodeFactory().textNode(value); // converted at binding: cannot happen
        }
    }

    private static ObjectNode body(HttpOperation op, Schemas schemas) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("required", op.bodyRequired());
        ObjectNode content = body.putObject("content");
        if (op.body() == String.class) {
            content.putObject("*/*").putObject("schema").put("type", "string");
        } else if (op.body() == byte[].class) {
            content.putObject("*/*").putObject("schema").put("contentMediaType", "application/octet-stream");
        } else {
            content.putObject("application/json").set("schema", schemas.of(op.body()));
        }
        return body;
    }

    private static ObjectNode success(HttpOperation op, Schemas schemas) {
        ObjectNode response = Json.mapper().createObjectNode();
        response.put("description", op.dynamicStatus() ? "the status and headers the handler chose" : "success");
        if (op.answer() != null) {
            response.putObject("content").putObject("application/json").set("schema", schemas.of(op.answer()));
        }
        return response;
    }
}
