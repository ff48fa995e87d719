package dev.chassis.core.internal.health;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.chassis.core.Json;
import dev.chassis.core.ServiceInfo;
import dev.chassis.core.spi.ChassisExtension;
import dev.chassis.core.spi.ExtensionContext;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;

/**
 * The built-in extension that serves {@code GET /info}: name, version, instance id, start time and the
 * protocols served, on the management port when {@code management.port} is set. Turned off with
 * {@code chassis.extensions.info.enabled: false}. Not API.
 */
public final class InfoExtension implements ChassisExtension {
    @Override
    public String name() {
        return "info";
    }

    @Override
    public void register(ExtensionContext context) {
        ServiceInfo info = context.service();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", info.name());
        body.put("version", info.version());
        body.put("instanceId", info.instanceId());
        body.put("startTime", info.startTime().toString());
        body.put("protocols", info.protocols());
        byte[] bytes;
        try {
            bytes = Json.mapper().writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write /info", e);
        }
        context.http().management().route(Method.GET, "/info", (req, res) -> {
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(bytes);
        });
    }
}
