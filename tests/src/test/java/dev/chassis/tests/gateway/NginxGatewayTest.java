package dev.chassis.tests.gateway;

import static dev.chassis.tests.gateway.Gateway.CLIENT;
import static dev.chassis.tests.gateway.Gateway.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.chassis.core.RunningService;
import dev.chassis.testing.CapturedSpans;

/**
 * A real NGINX (Debian package {@code nginx}) in front of a Chassis service, configured with the NGINX recipe of
 * {@code docs/gateway.md} as the docs write it: the client's address, scheme, host and the prefix NGINX strips reach
 * the service, whatever forwarded headers the client makes up; the service ignores the same headers sent to it
 * directly. NGINX terminates TLS on one listener and serves plain HTTP on another; the client connects from
 * 127.0.0.2, the proxy from 127.0.0.1 — the only address the service trusts.
 */
class NginxGatewayTest {
    private static RunningService service;
    private static Gateway.Tls tls;
    private static OsProgram nginx;
    private static int https;
    private static int http;

    @BeforeAll
    static void start() throws IOException {
        Path binary = OsProgram.require("nginx", "nginx");
        service = Gateway.service("x-forwarded");
        Path dir = Gateway.directory("nginx");
        tls = Gateway.Tls.in(dir);
        https = Gateway.freePort();
        http = Gateway.freePort();
        String location = Gateway.substitute(Gateway.recipe("nginx"), "http://orders:8080/",
                "http://127.0.0.1:" + service.port() + "/");
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, String.join("\n",
                "worker_processes 1;",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log " + dir.resolve("error.log") + " info;",
                "events { worker_connections 64; }",
                "http {",
                "    access_log off;",
                "    client_body_temp_path " + dir.resolve("client_body") + ";",
                "    proxy_temp_path " + dir.resolve("proxy") + ";",
                "    fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
                "    uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
                "    scgi_temp_path " + dir.resolve("scgi") + ";",
                "    server {",
                "        listen 127.0.0.1:" + https + " ssl;",
                "        listen 127.0.0.1:" + http + ";",
                "        ssl_certificate " + tls.certificate() + ";",
                "        ssl_certificate_key " + tls.key() + ";",
                location,
                "    }",
                "}", ""));
        nginx = OsProgram.start("nginx", List.of(binary.toString(), "-p", dir.toString(), "-c", conf.toString(),
                "-e", dir.resolve("error.log").toString(), "-g", "daemon off;"), dir.resolve("nginx.out"), https);
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
        if (service != null) {
            service.stop();
        }
    }

    private static SSLContext client() {
        return tls.ca().clientContext();
    }

    private static JsonNode where(SSLContext over, int port, String... headers) throws IOException {
        Gateway.Reply reply = send(port, over, "GET", "/shop/where", headers);
        assertThat(reply.status()).as(reply.body() + "\nnginx: " + nginx.log()).isEqualTo(200);
        return reply.json();
    }

    @Test
    void theServiceSeesTheClientItsSchemeHostAndThePrefix() throws IOException {
        JsonNode w = where(client(), https);
        assertThat(w.path("client").asText()).isEqualTo(CLIENT);
        assertThat(w.path("scheme").asText()).isEqualTo("https");
        assertThat(w.path("host").asText()).isEqualTo("localhost:" + https);
        assertThat(w.path("prefix").asText()).isEqualTo("/shop");
        assertThat(w.path("forwarded").asBoolean()).isTrue();
        assertThat(w.path("self").asText()).isEqualTo("https://localhost:" + https + "/shop/where");

        JsonNode plain = where(null, http);
        assertThat(plain.path("client").asText()).isEqualTo(CLIENT);
        assertThat(plain.path("scheme").asText()).as("the plain listener").isEqualTo("http");
        assertThat(plain.path("self").asText()).isEqualTo("http://localhost:" + http + "/shop/where");
    }

    @Test
    void whatTheClientSaysOfItselfDoesNotCount() throws IOException {
        JsonNode w = where(client(), https, "X-Forwarded-For: 203.0.113.7", "X-Forwarded-Proto: http",
                "X-Forwarded-Host: evil.example", "X-Forwarded-Prefix: /evil",
                "Forwarded: for=198.51.100.1;proto=http;host=evil.example");
        assertThat(w.path("client").asText()).as("203.0.113.7 came from 127.0.0.2, which is not trusted")
                .isEqualTo(CLIENT);
        assertThat(w.path("scheme").asText()).isEqualTo("https");
        assertThat(w.path("host").asText()).isEqualTo("localhost:" + https);
        assertThat(w.path("prefix").asText()).isEqualTo("/shop");
    }

    @Test
    void malformedForwardedForFromTheClientDoesNotHideWhatNginxAppends() throws IOException {
        for (String bad : new String[] {"X-Forwarded-For: garbage, 1.2.3.4", "X-Forwarded-For: <script>",
            "X-Forwarded-For: 1.2.3.4 evil", "X-Forwarded-For: [.:1]", "X-Forwarded-For: ,,,", "Forwarded: for=evil"}) {
            assertThat(where(client(), https, bad).path("client").asText()).as(bad).isEqualTo(CLIENT);
        }
    }

    @Test
    void locationAndProblemInstanceCarryThePrefixAndTheScheme() throws IOException {
        Gateway.Reply placed = send(https, client(), "POST", "/shop/orders");
        assertThat(placed.status()).isEqualTo(201);
        assertThat(placed.header("Location")).isEqualTo("https://localhost:" + https + "/shop/orders/1");
        Gateway.Reply drafted = send(https, client(), "POST", "/shop/drafts");
        assertThat(drafted.status()).isEqualTo(201);
        assertThat(drafted.header("Location")).isEqualTo("/shop/drafts/1");
        Gateway.Reply missing = send(https, client(), "GET", "/shop/orders/7");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.header("Content-Type")).startsWith("application/problem+json");
        assertThat(missing.json().path("instance").asText()).isEqualTo("/shop/orders/7");
    }

    @Test
    void aDirectRequestWithForgedHeadersIsNotBelieved() throws IOException {
        Gateway.Reply reply = send(service.port(), null, "GET", "/where", "X-Forwarded-For: 203.0.113.7",
                "X-Forwarded-Proto: https", "X-Forwarded-Host: api.example.com", "X-Forwarded-Prefix: /shop");
        JsonNode w = reply.json();
        assertThat(w.path("client").asText()).as("127.0.0.2 is not a trusted proxy").isEqualTo(CLIENT);
        assertThat(w.path("scheme").asText()).isEqualTo("http");
        assertThat(w.path("host").asText()).isEqualTo("localhost:" + service.port());
        assertThat(w.path("prefix").asText()).isEmpty();
        assertThat(w.path("forwarded").asBoolean()).isFalse();
        assertThat(send(service.port(), null, "GET", "/orders/7", "X-Forwarded-Prefix: /shop").json()
                .path("instance").asText()).isEqualTo("/orders/7");
    }

    @Test
    void aTraceparentPassesThroughAndTheServiceContinuesIt() throws IOException {
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        String parent = "00f067aa0ba902b7";
        where(client(), https, "traceparent: 00-" + trace + "-" + parent + "-01");
        JsonNode span = CapturedSpans.of(service.uri()).await(trace, 1).get(0);
        assertThat(span.path("parentSpanId").asText()).isEqualTo(parent);
        assertThat(span.path("attributes").path("client.address").asText()).isEqualTo(CLIENT);
        assertThat(span.path("attributes").path("url.scheme").asText()).isEqualTo("https");
    }
}
