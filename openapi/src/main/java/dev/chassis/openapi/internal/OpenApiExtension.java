package dev.chassis.openapi.internal;

import java.net.URI;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import dev.chassis.core.Json;
import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Setting;
import dev.chassis.core.spi.ChassisExtension;
import dev.chassis.core.spi.ExtensionContext;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Serves the service's OpenAPI 3.1 document as JSON at {@code /openapi} and as YAML at {@code /openapi.yaml} (or
 * {@code /openapi?format=yaml}), on the management port when there is one. What can be wrong in it is checked when
 * everything is bound, before the port opens (an {@code @ApiOperation} that lists a success status as a problem
 * stops start-up); the document itself — the schema generator's work, about 400 classes and a tenth of a small
 * service's start-up CPU — is built when it is first asked for, once, and kept. Turned off with
 * {@code chassis.extensions.openapi.enabled: false}. Not API.
 */
public final class OpenApiExtension implements ChassisExtension {
    static final String PATH = "/openapi";

    @Override
    public String name() {
        return "openapi";
    }

    @Override
    public List<Setting<?>> settings() {
        return OpenApiSettings.ALL;
    }

    @Override
    public void register(ExtensionContext context) {
        Served served = new Served();
        context.lifecycle().onDescribed(api -> {
            api.operations().forEach(Operations::check);
            ServiceInfo service = context.service();
            List<URI> servers = context.config().find(OpenApiSettings.SERVERS).orElse(List.of());
            String description = context.config().get(OpenApiSettings.DESCRIPTION);
            served.describe(() -> Document.of(service, api, servers, description));
        });
        context.http().management().route(Method.GET, PATH, (req, res) -> send(res, served.get(), wantsYaml(req)));
        context.http().management().route(Method.GET, PATH + ".yaml", (req, res) -> send(res, served.get(), true));
    }

    /** The document, as JSON and as YAML, built by the first request that asks for it. */
    private static final class Served {
        private final ReentrantLock building = new ReentrantLock();
        /** Builds the document: set when everything is bound, before the port opens. */
        private volatile Supplier<ObjectNode> document;
        private volatile byte[][] bytes;

        void describe(Supplier<ObjectNode> document) {
            this.document = document;
        }

        byte[][] get() {
            byte[][] b = bytes;
            if (b != null) {
                return b;
            }
            building.lock(); // concurrent first requests build it once
            try {
                if (bytes == null) {
                    ObjectNode doc = document.get();
                    try {
                        bytes = new byte[][] {Json.mapper().writeValueAsBytes(doc), Yaml.MAPPER.writeValueAsBytes(doc)};
                    } catch (JsonProcessingException e) {
                        throw new IllegalStateException("cannot write the OpenAPI document", e);
                    }
                }
                return bytes;
            } finally {
                building.unlock();
            }
        }
    }

    /** The YAML writer, made with the first document. */
    private static final class Yaml {
        static final YAMLMapper MAPPER = new YAMLMapper(YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                .build());
    }

    private static boolean wantsYaml(ServerRequest req) {
        return req.query().first("format").map(f -> f.equalsIgnoreCase("yaml")).orElse(false);
    }

    private static void send(ServerResponse res, byte[][] served, boolean yaml) {
        res.header(HeaderNames.CONTENT_TYPE, yaml ? "application/yaml" : "application/json");
        res.send(served[yaml ? 1 : 0]);
    }
}
