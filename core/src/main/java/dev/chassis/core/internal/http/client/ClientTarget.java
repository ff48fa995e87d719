package dev.chassis.core.internal.http.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import dev.chassis.core.client.UnreachableException;
import dev.chassis.core.internal.tls.TargetTls;
import dev.chassis.core.internal.telemetry.HttpClientTelemetry;
import dev.chassis.core.internal.telemetry.Telemetry;
import io.helidon.common.tls.Tls;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.api.WebClientConfig;

/**
 * A logical target: how to find its instances, the load balancer over them, and the Helidon client that
 * talks to them. One per target name, shared by every client interface of that target. Not API.
 */
public final class ClientTarget {
    private final String name;
    private final Function<String, List<URI>> resolver;
    private final WebClient client;
    private final Balancer balancer;
    private final Duration requestTimeout;
    private final HttpClientTelemetry telemetry;
    private final TargetTls tls;

    /**
     * @param tls the key and trust of {@code clients.<name>.tls}, or null: https:// instances are then verified with
     *            the JDK's CAs and no certificate is presented
     */
    public ClientTarget(String name, Function<String, List<URI>> resolver, Duration connectTimeout, Duration requestTimeout,
                        Telemetry telemetry, Balancer.Settings balancing, TargetTls tls) {
        this.name = name;
        this.balancer = new Balancer(name, balancing);
        this.telemetry = new HttpClientTelemetry(telemetry, name);
        this.resolver = resolver;
        this.requestTimeout = requestTimeout;
        this.tls = tls;
        WebClientConfig.Builder builder = WebClient.builder();
        if (tls != null) {
            builder.tls(Tls.builder().sslContext(tls.context()).sslParameters(tls.parameters())
                    .endpointIdentificationAlgorithm(tls.expectedIdentity().isPresent()
                            ? Tls.ENDPOINT_IDENTIFICATION_NONE : Tls.ENDPOINT_IDENTIFICATION_HTTPS)
                    .build());
        }
        this.client = builder
                .connectTimeout(connectTimeout)
                .readTimeout(requestTimeout)
                .sendExpectContinue(false)
                .followRedirects(false)
                // Helidon's shared connection cache closes in its own JVM shutdown hook, which runs concurrently with
                // Chassis' drain: requests still in flight at SIGTERM could no longer call out. This target's own
                // cache is closed by close(), after the drain.
                .shareConnectionCache(false)
                .build();
    }

    /** How long a call waits for the answer when no caller's deadline is shorter. */
    Duration requestTimeout() {
        return requestTimeout;
    }

    /** Releases the client's pooled connections; called once no request can use them any more. */
    public void close() {
        client.closeResource();
    }

    /** The target name. */
    public String name() {
        return name;
    }

    HttpClientTelemetry telemetry() {
        return telemetry;
    }

    WebClient client() {
        return client;
    }

    /**
     * The instance for this attempt, chosen by the target's load balancer; a retry goes to an instance the call
     * has not tried when there is one. The caller reports the attempt's end with {@link #finished}.
     */
    URI pick(ClientCall call) {
        List<URI> instances = resolver.apply(name);
        if (instances.isEmpty()) {
            throw new UnreachableException(name, "no instances of " + name + " are known", null, true);
        }
        URI chosen = balancer.pick(instances, call);
        if (tls != null && !"https".equals(chosen.getScheme())) {
            // a discovered plaintext address: never send the call unprotected when the target is meant to be TLS
            throw new UnreachableException(name, name + " instance " + chosen + " (from discovery) serves plaintext, but"
                    + " clients." + name + ".tls.bundle is set: the call is not sent unprotected. Serve " + name
                    + " over TLS (server.tls.bundle: it then registers https://) or tell discovery its scheme", null, true);
        }
        balancer.started(chosen);
        return chosen;
    }

    /** An attempt on {@code instance} ended: {@code failed} for a transport failure or a 5xx. */
    void finished(URI instance, boolean failed) {
        balancer.release(instance); // first: nothing below may leave the attempt counted
        if (failed) {
            balancer.failed(instance, resolver.apply(name));
        } else {
            balancer.succeeded(instance);
        }
    }

    Balancer balancer() {
        return balancer;
    }
}
