package dev.chassis.core.internal.health;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectWriter;

import dev.chassis.core.Json;
import dev.chassis.core.health.HealthCheck;
import dev.chassis.core.health.HealthChecks;
import dev.chassis.core.health.HealthReport;
import dev.chassis.core.spi.ChassisExtension;
import dev.chassis.core.spi.ExtensionContext;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Header;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;

/**
 * The built-in extension that serves {@code /health/live}, {@code /health/ready}, {@code /health/started}
 * and {@code /health} (all checks) in the MicroProfile Health JSON shape: 200 when UP, 503 when DOWN — on the
 * management port when {@code management.port} is set.
 * Turned off with {@code chassis.extensions.health.enabled: false}. Not API.
 */
public final class HealthExtension implements ChassisExtension {
    private static final Header JSON = HeaderValues.create(HeaderNames.CONTENT_TYPE, "application/json");
    private static final Header NO_STORE = HeaderValues.create(HeaderNames.CACHE_CONTROL, "no-store");

    @Override
    public String name() {
        return "health";
    }

    @Override
    public void register(ExtensionContext context) {
        HealthChecks checks = context.health().all();
        ExtensionContext.Http management = context.http().management();
        management.route(Method.GET, "/health/live", endpoint(checks, List.of(HealthCheck.Kind.LIVENESS)));
        management.route(Method.GET, "/health/ready", endpoint(checks, List.of(HealthCheck.Kind.READINESS)));
        management.route(Method.GET, "/health/started", endpoint(checks, List.of(HealthCheck.Kind.STARTUP)));
        management.route(Method.GET, "/health", endpoint(checks, List.of(HealthCheck.Kind.values())));
    }

    private static Handler endpoint(HealthChecks checks, List<HealthCheck.Kind> kinds) {
        Set<HealthCheck.Kind> set = EnumSet.copyOf(kinds);
        return (req, res) -> {
            HealthReport report = checks.report(set);
            List<Map<String, Object>> entries = new ArrayList<>();
            for (HealthReport.Entry e : report.checks()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", e.name());
                m.put("status", e.status().name());
                if (!e.data().isEmpty()) {
                    m.put("data", e.data());
                }
                entries.add(m);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", report.status().name());
            body.put("checks", entries);
            res.status(report.isUp() ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
            res.header(JSON);
            res.header(NO_STORE);
            res.send(Writer.WRITER.writeValueAsBytes(body));
        };
    }

    /** The health body's writer, made by the first answer: not while extensions are listed at start-up. */
    private static final class Writer {
        static final ObjectWriter WRITER = Json.mapper().writerFor(Map.class);
    }
}
