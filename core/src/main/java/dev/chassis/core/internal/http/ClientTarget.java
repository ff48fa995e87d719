package dev.chassis.core.internal.http;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import dev.chassis.core.client.UnreachableException;
import dev.chassis.core.spi.Call;
import io.helidon.webclient.api.WebClient;

/**
 * A logical target: how to find its instances, the round robin over them, and the Helidon client that
 * talks to them. One per target name, shared by every client interface of that target. Not API.
 */
public final class ClientTarget {
    private final String name;
    private final Function<String, List<URI>> resolver;
    private final WebClient client;
    private final AtomicInteger next = new AtomicInteger();
    private final Duration requestTimeout;
    private final dev.chassis.core.internal.telemetry.HttpClientTelemetry telemetry;

    public ClientTarget(String name, Function<String, List<URI>> resolver, Duration connectTimeout, Duration requestTimeout,
                        dev.chassis.core.internal.telemetry.Telemetry telemetry) {
        this.name = name;
        this.telemetry = new dev.chassis.core.internal.telemetry.HttpClientTelemetry(telemetry, name);
        this.resolver = resolver;
        this.requestTimeout = requestTimeout;
        this.client = WebClient.builder()
                .connectTimeout(connectTimeout)
                .readTimeout(requestTimeout)
                .sendExpectContinue(false)
                .followRedirects(false)
                .build();
    }

    /** How long a call waits for the answer when no caller's deadline is shorter. */
    Duration requestTimeout() {
        return requestTimeout;
    }

    /** Releases the client's pooled connections. */
    public void close() {
        client.closeResource();
    }

    /** The target name. */
    public String name() {
        return name;
    }

    dev.chassis.core.internal.telemetry.HttpClientTelemetry telemetry() {
        return telemetry;
    }

    WebClient client() {
        return client;
    }

    /**
     * The instance for this attempt: round robin for the first attempt, then the next instances in turn,
     * so that a retry goes elsewhere when there is an elsewhere.
     */
    URI pick(Call call) {
        List<URI> instances = resolver.apply(name);
        if (instances.isEmpty()) {
            throw new UnreachableException(name, "no instances of " + name + " are known", null, true);
        }
        int seed = call.seed(next::getAndIncrement);
        return instances.get(Math.floorMod(seed + call.attempts() - 1, instances.size()));
    }
}
