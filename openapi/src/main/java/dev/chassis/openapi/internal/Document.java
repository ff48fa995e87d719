package dev.chassis.openapi.internal;

import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.chassis.core.Json;
import dev.chassis.core.ServiceInfo;
import dev.chassis.core.spi.HttpOperation;
import dev.chassis.core.spi.ServiceApi;

/**
 * Builds the OpenAPI 3.1 document of one service from what it serves ({@link ServiceApi}): {@code info} from the
 * service's name and version, one path item per route, the schemas of every type the operations name, the problem
 * answers they reference, the security schemes they require, and the gRPC services as {@code x-grpc-services}.
 * Not API.
 */
final class Document {
    private Document() {
    }

    /**
     * @param info        the service's identity
     * @param api         what it serves
     * @param servers     the URLs to list as servers (may be empty)
     * @param description the document's description, or empty
     */
    static ObjectNode of(ServiceInfo info, ServiceApi api, List<URI> servers, String description) {
        ObjectNode doc = Json.mapper().createObjectNode();
        doc.put("openapi", "3.1.0");
        ObjectNode i = doc.putObject("info");
        i.put("title", info.name());
        i.put("version", info.version());
        if (!description.isEmpty()) {
            i.put("description", description);
        }
        if (!servers.isEmpty()) {
            ArrayNode list = doc.putArray("servers");
            servers.forEach(s -> list.addObject().put("url", s.toString()));
        }
        Schemas schemas = new Schemas();
        ProblemResponses problems = new ProblemResponses();
        Set<String> schemes = new HashSet<>();
        ObjectNode paths = doc.putObject("paths");
        Set<String> ids = new HashSet<>();
        for (HttpOperation op : api.operations()) {
            ObjectNode item = paths.has(op.path()) ? (ObjectNode) paths.get(op.path()) : paths.putObject(op.path());
            item.set(op.method().toLowerCase(Locale.ROOT),
                    Operations.of(op, schemas, problems, schemes, unique(op.key(), ids)));
        }
        problems.outsideOperations();
        ObjectNode components = doc.putObject("components");
        ObjectNode defined = schemas.components();
        defined.set("Problem", ProblemResponses.schema());
        components.set("schemas", defined);
        components.set("responses", problems.components());
        if (!schemes.isEmpty()) {
            ObjectNode security = components.putObject("securitySchemes");
            if (schemes.contains(Operations.BEARER)) {
                security.putObject(Operations.BEARER).put("type", "http").put("scheme", "bearer").put("bearerFormat", "JWT")
                        .put("description", "an OAuth 2.0 bearer token (RFC 6750): a JWT from a configured issuer");
            }
            if (schemes.contains(Operations.MUTUAL_TLS)) {
                security.putObject(Operations.MUTUAL_TLS).put("type", "mutualTLS")
                        .put("description", "a client certificate whose workload identity the operation allows");
            }
        }
        if (!api.grpc().isEmpty()) {
            doc.set("x-grpc-services", GrpcServices.of(api.grpc()));
        }
        return doc;
    }

    /** {@code order-api.place}, then {@code order-api.place-2} for an overload. */
    private static String unique(String key, Set<String> ids) {
        String id = key;
        for (int n = 2; !ids.add(id); n++) {
            id = key + "-" + n;
        }
        return id;
    }
}
