package dev.chassis.tests.gateway;

import static dev.chassis.tests.gateway.Gateway.CLIENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.chassis.core.RunningService;

/**
 * A real HAProxy (Debian package {@code haproxy}, 2.6) in front of a Chassis service reading RFC 7239
 * {@code Forwarded} ({@code server.trusted-proxy-headers: forwarded}), configured with the HAProxy recipe of
 * {@code docs/gateway.md} as the docs write it (only the listeners, the certificate and the server address are
 * replaced). HAProxy runs in the foreground as a child of the test and terminates TLS on one of its listeners; when
 * the machine has an IPv6 loopback, it listens on {@code [::1]} too.
 */
class HaproxyGatewayTest extends ProxyContract {
    private static RunningService service;
    private static Gateway.Tls tls;
    private static OsProgram haproxy;
    private static Path dir;
    private static int https;
    private static int http;
    private static int http6;

    @BeforeAll
    static void start() throws IOException {
        Path binary = OsProgram.require("haproxy", "haproxy");
        service = Gateway.service("forwarded");
        dir = Gateway.directory("haproxy");
        tls = Gateway.Tls.in(dir);
        https = Gateway.freePort();
        http = Gateway.freePort();
        http6 = ipv6Loopback() ? Gateway.freePort() : -1;
        String recipe = Gateway.substitute(Gateway.recipe("haproxy"), "bind :443 ssl crt /etc/haproxy/gateway.pem",
                "bind 127.0.0.1:" + https + " ssl crt " + tls.combined());
        recipe = Gateway.substitute(recipe, "bind :80", "bind 127.0.0.1:" + http
                + (http6 > 0 ? "\n    bind [::1]:" + http6 : ""));
        recipe = Gateway.substitute(recipe, "server orders1 orders:8080", "server orders1 127.0.0.1:" + service.port());
        Path conf = dir.resolve("haproxy.cfg");
        Files.writeString(conf, String.join("\n",
                "global",
                "    log stderr format raw local0 warning",
                "defaults",
                "    log global",
                "    timeout connect 5s",
                "    timeout client 30s",
                "    timeout server 30s",
                recipe));
        haproxy = OsProgram.start("haproxy", List.of(binary.toString(), "-db", "-f", conf.toString()),
                dir.resolve("haproxy.out"), https);
    }

    private static boolean ipv6Loopback() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("::1", 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @AfterAll
    static void stop() {
        if (haproxy != null) {
            haproxy.close();
        }
        if (service != null) {
            service.stop();
        }
        if (dir != null) {
            Gateway.delete(dir);
        }
    }

    @Override
    RunningService service() {
        return service;
    }

    @Override
    int https() {
        return https;
    }

    @Override
    int http() {
        return http;
    }

    @Override
    SSLContext tls() {
        return tls.ca().clientContext();
    }

    @Override
    String proxyLog() {
        return haproxy.log();
    }

    /** HAProxy replaces the client's Forwarded header with its own: nothing the client wrote there counts. */
    @Test
    void aMalformedOrMadeUpForwardedHeaderFromTheClientIsReplaced() throws IOException {
        for (String bad : new String[] {"Forwarded: for=evil", "Forwarded: for=\"203.0.113.9", "Forwarded: for=1.2.3.4;;",
            "Forwarded: for=127.0.0.1;proto=http", "Forwarded: for=203.0.113.9, for=127.0.0.1", "Forwarded: =x"}) {
            JsonNode w = where(tls(), https, bad);
            assertThat(w.path("client").asText()).as(bad).isEqualTo(CLIENT);
            assertThat(w.path("scheme").asText()).as(bad).isEqualTo("https");
        }
    }

    /** A quote in the Host would end the quoted host early: the service refuses such a Host before any handler. */
    @Test
    void aHostThatWouldBreakTheHeaderIsRefused() throws IOException {
        Gateway.Reply reply = Gateway.send(https, tls(), "GET", "/shop/where", "Host: a\"b");
        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.header("Content-Type")).startsWith("application/problem+json");
        assertThat(reply.json().path("detail").asText()).contains("Invalid Host header");
    }

    @Test
    void anIpv6ClientIsNamedInBrackets() throws IOException {
        assumeTrue(http6 > 0, "no IPv6 loopback on this machine");
        Gateway.Reply reply = Gateway.send("::1", "::1", http6, null, "GET", "/shop/where");
        assertThat(reply.status()).as(reply.body() + "\nproxy log: " + proxyLog()).isEqualTo(200);
        assertThat(reply.json().path("client").asText()).as("for=\"[::1]\"").isEqualTo("::1");
        assertThat(reply.json().path("forwarded").asBoolean()).isTrue();
    }
}
