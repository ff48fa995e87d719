package dev.chassis.core.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import dev.chassis.core.Json;
import dev.chassis.core.http.Client;
import dev.chassis.core.internal.http.client.ClientBinder;
import dev.chassis.core.internal.http.client.ClientTarget;
import dev.chassis.core.internal.server.CoreSettings;
import dev.chassis.core.internal.telemetry.Telemetry;
import io.opentelemetry.api.GlobalOpenTelemetry;

/**
 * Declarative clients outside a service (scripts, tests, tools): the standard's default timeouts
 * (connect 1 s, answer 10 s), no policies. Inside a service use {@code ServiceBuilder.client(type)},
 * which adds configuration, discovery and the service's policies.
 */
public final class HttpClients {
    private HttpClients() {
    }

    /**
     * A client of {@code type} calling these instances in turn.
     *
     * @param instances base URIs such as {@code http://localhost:8081}
     */
    public static <T> T create(Class<T> type, URI... instances) {
        return create(type, Duration.ofSeconds(1), Duration.ofSeconds(10), instances);
    }

    /** A client with explicit timeouts. */
    public static <T> T create(Class<T> type, Duration connectTimeout, Duration requestTimeout, URI... instances) {
        Objects.requireNonNull(type, "type");
        if (instances.length == 0) {
            throw new IllegalArgumentException("at least one instance URI is needed");
        }
        Client client = type.getAnnotation(Client.class);
        String name = client != null ? client.value() : type.getSimpleName().toLowerCase(Locale.ROOT);
        List<URI> list = List.of(instances).stream()
                .map(u -> URI.create(u.toString().endsWith("/") ? u.toString().substring(0, u.toString().length() - 1)
                        : u.toString()))
                .toList();
        ClientTarget target = new ClientTarget(name, n -> list, connectTimeout, requestTimeout,
                Telemetry.of(GlobalOpenTelemetry.getOrNoop()),
                CoreSettings.defaultBalancing(), null);
        return new ClientBinder(Json.mapper(), List.of()).bind(type, target);
    }
}
