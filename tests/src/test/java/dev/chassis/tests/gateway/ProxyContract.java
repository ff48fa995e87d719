package dev.chassis.tests.gateway;

import static dev.chassis.tests.gateway.Gateway.CLIENT;
import static dev.chassis.tests.gateway.Gateway.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import dev.chassis.core.RunningService;
import dev.chassis.testing.CapturedSpans;

/**
 * What must hold for a service behind a real proxy configured from a {@code docs/gateway.md} recipe that strips the
 * prefix {@code /shop}: the service sees the client's address (127.0.0.2), the scheme and host it used, and the
 * prefix — whatever forwarded headers the client makes up; and it ignores the same headers sent to it directly.
 * Each subclass starts its proxy with a TLS listener and a plain one.
 */
abstract class ProxyContract {
    /** Every forwarded header either set can carry, as a client would make them up. */
    static final String[] MADE_UP = {"X-Forwarded-For: 203.0.113.7", "X-Forwarded-Proto: http",
        "X-Forwarded-Host: evil.example", "X-Forwarded-Prefix: /evil",
        "Forwarded: for=198.51.100.1;proto=http;host=evil.example"};

    /** The service behind the proxy. */
    abstract RunningService service();

    /** The proxy's TLS listener. */
    abstract int https();

    /** The proxy's plain HTTP listener. */
    abstract int http();

    /** A client context trusting the proxy's certificate. */
    abstract SSLContext tls();

    /** What the proxy logged, for failure messages. */
    abstract String proxyLog();

    JsonNode where(SSLContext over, int port, String... headers) throws IOException {
        Gateway.Reply reply = send(port, over, "GET", "/shop/where", headers);
        assertThat(reply.status()).as(reply.body() + "\nproxy log: " + proxyLog()).isEqualTo(200);
        return reply.json();
    }

    @Test
    void theServiceSeesTheClientItsSchemeHostAndThePrefix() throws IOException {
        JsonNode w = where(tls(), https());
        assertThat(w.path("client").asText()).isEqualTo(CLIENT);
        assertThat(w.path("scheme").asText()).isEqualTo("https");
        assertThat(w.path("host").asText()).isEqualTo("localhost:" + https());
        assertThat(w.path("prefix").asText()).isEqualTo("/shop");
        assertThat(w.path("forwarded").asBoolean()).isTrue();
        assertThat(w.path("self").asText()).isEqualTo("https://localhost:" + https() + "/shop/where");

        JsonNode plain = where(null, http());
        assertThat(plain.path("client").asText()).isEqualTo(CLIENT);
        assertThat(plain.path("scheme").asText()).as("the plain listener").isEqualTo("http");
        assertThat(plain.path("self").asText()).isEqualTo("http://localhost:" + http() + "/shop/where");
    }

    @Test
    void whatTheClientSaysOfItselfDoesNotCount() throws IOException {
        JsonNode w = where(tls(), https(), MADE_UP);
        assertThat(w.path("client").asText()).as("made up by 127.0.0.2, which is not trusted").isEqualTo(CLIENT);
        assertThat(w.path("scheme").asText()).isEqualTo("https");
        assertThat(w.path("host").asText()).isEqualTo("localhost:" + https());
        assertThat(w.path("prefix").asText()).isEqualTo("/shop");
    }

    @Test
    void locationAndProblemInstanceCarryThePrefixAndTheScheme() throws IOException {
        Gateway.Reply placed = send(https(), tls(), "POST", "/shop/orders");
        assertThat(placed.status()).isEqualTo(201);
        assertThat(placed.header("Location")).isEqualTo("https://localhost:" + https() + "/shop/orders/1");
        Gateway.Reply drafted = send(https(), tls(), "POST", "/shop/drafts");
        assertThat(drafted.status()).isEqualTo(201);
        assertThat(drafted.header("Location")).as("a relative Location gets the prefix").isEqualTo("/shop/drafts/1");
        Gateway.Reply missing = send(https(), tls(), "GET", "/shop/orders/7");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.header("Content-Type")).startsWith("application/problem+json");
        assertThat(missing.json().path("instance").asText()).isEqualTo("/shop/orders/7");
    }

    @Test
    void aDirectRequestWithMadeUpHeadersIsNotBelieved() throws IOException {
        JsonNode w = send(service().port(), null, "GET", "/where", MADE_UP).json();
        assertThat(w.path("client").asText()).as("127.0.0.2 is not a trusted proxy").isEqualTo(CLIENT);
        assertThat(w.path("scheme").asText()).isEqualTo("http");
        assertThat(w.path("host").asText()).isEqualTo("localhost:" + service().port());
        assertThat(w.path("prefix").asText()).isEmpty();
        assertThat(w.path("forwarded").asBoolean()).isFalse();
        assertThat(send(service().port(), null, "GET", "/orders/7", MADE_UP).json().path("instance").asText())
                .isEqualTo("/orders/7");
    }

    @Test
    void aTraceparentPassesThroughAndTheServiceContinuesIt() throws IOException {
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        String parent = "00f067aa0ba902b7";
        where(tls(), https(), "traceparent: 00-" + trace + "-" + parent + "-01");
        JsonNode span = CapturedSpans.of(service().uri()).await(trace, 1).get(0);
        assertThat(span.path("parentSpanId").asText()).isEqualTo(parent);
        assertThat(span.path("attributes").path("client.address").asText()).isEqualTo(CLIENT);
        assertThat(span.path("attributes").path("url.scheme").asText()).isEqualTo("https");
    }
}
