package dev.chassis.openapi.internal;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import dev.chassis.core.Json;
import dev.chassis.core.config.Setting;
import dev.chassis.core.spi.ChassisExtension;
import dev.chassis.core.spi.ExtensionContext;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Serves the service's OpenAPI 3.1 document: built once, when everything is bound and before the port opens (so a
 * type the schema generator refuses stops start-up), and served as JSON at {@code /openapi} and as YAML at
 * {@code /openapi.yaml} (or {@code /openapi?format=yaml}), on the management port when there is one. Turned off
 * with {@code chassis.extensions.openapi.enabled: false}. Not API.
 */
public final class OpenApiExtension implements ChassisExtension {
    static final String PATH = "/openapi";
    private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build());

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
        AtomicReference<byte[][]> served = new AtomicReference<>();
        context.lifecycle().onDescribed(api -> {
            ObjectNode doc = Document.of(context.service(), api, context.config().find(OpenApiSettings.SERVERS).orElse(List.of()),
                    context.config().get(OpenApiSettings.DESCRIPTION));
            try {
                served.set(new byte[][] {Json.mapper().writeValueAsBytes(doc), YAML.writeValueAsBytes(doc)});
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write the OpenAPI document", e);
            }
        });
        context.http().management().route(Method.GET, PATH, (req, res) -> send(req, res, served.get(), wantsYaml(req)));
        context.http().management().route(Method.GET, PATH + ".yaml", (req, res) -> send(req, res, served.get(), true));
    }

    private static boolean wantsYaml(ServerRequest req) {
        return req.query().first("format").map(f -> f.equalsIgnoreCase("yaml")).orElse(false);
    }

    private static void send(ServerRequest req, ServerResponse res, byte[][] served, boolean yaml) {
        res.header(HeaderNames.CONTENT_TYPE, yaml ? "application/yaml" : "application/json");
        res.send(served[yaml ? 1 : 0]);
    }
}
