package dev.chassis.tests.gateway;

import static dev.chassis.tests.gateway.Gateway.CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.chassis.core.RunningService;

/**
 * A real NGINX (Debian package {@code nginx}) in front of a Chassis service reading {@code X-Forwarded-*}, configured
 * with the NGINX recipe of {@code docs/gateway.md} as the docs write it (only the upstream address is replaced). NGINX
 * runs in the foreground as a child of the test, its files in a temporary directory, and terminates TLS on one of
 * its two listeners.
 */
class NginxGatewayTest extends ProxyContract {
    private static RunningService service;
    private static Gateway.Tls tls;
    private static OsProgram nginx;
    private static Path dir;
    private static int https;
    private static int http;

    @BeforeAll
    static void start() throws IOException {
        Path binary = OsProgram.require("nginx", "nginx");
        service = Gateway.service("x-forwarded");
        dir = Gateway.directory("nginx");
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
        try {
            return nginx.log() + Files.readString(dir.resolve("error.log"));
        } catch (IOException e) {
            return nginx.log() + " (error.log: " + e + ")";
        }
    }

    /** NGINX appends the client's address to the client's own X-Forwarded-For: what the client wrote cannot hide it. */
    @Test
    void aMalformedOrMadeUpXForwardedForDoesNotHideWhatNginxAppends() throws IOException {
        for (String bad : new String[] {"X-Forwarded-For: garbage, 1.2.3.4", "X-Forwarded-For: <script>",
            "X-Forwarded-For: 1.2.3.4 evil", "X-Forwarded-For: [.:1]", "X-Forwarded-For: ,,,",
            "X-Forwarded-For: 127.0.0.1", "Forwarded: for=evil"}) {
            assertThat(where(tls(), https, bad).path("client").asText()).as(bad).isEqualTo(CLIENT);
        }
    }

    /**
     * A Host NGINX accepts but the service does not believe as a forwarded host: the answer never carries the
     * upstream's own address in its URLs (the recipe's {@code Host $http_host} passes the client's Host on, which the
     * service then uses or refuses).
     */
    @Test
    void aHostTheServiceDoesNotBelieveNeverLeaksTheUpstreamsAddress() throws IOException {
        for (String host : new String[] {"a_b", "x\\"}) {
            Gateway.Reply reply = Gateway.send(http, null, "GET", "/shop/where", "Host: " + host);
            assertThat(reply.body()).as(host).doesNotContain("127.0.0.1:" + service.port());
            assertThat(reply.status()).as(host).isIn(200, 400);
        }
    }
}
