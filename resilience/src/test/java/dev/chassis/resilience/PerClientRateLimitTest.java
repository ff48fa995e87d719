package dev.chassis.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Chassis;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.testing.TestService;

/**
 * Per-client rate limits over real sockets: clients connect from different loopback addresses (127.0.0.2, .3...,
 * which Linux routes to the loopback), a proxy trusted in {@code server.trusted-proxies} from 127.0.0.1.
 */
class PerClientRateLimitTest {
    @Path("/limited")
    public static final class Api {
        @Get("/direct")
        @RateLimiter(limit = 2, period = "1h", per = RateLimiter.Per.CLIENT_ADDRESS)
        public String direct() {
            return "ok";
        }

        @Get("/spoofed")
        @RateLimiter(limit = 2, period = "1h", per = RateLimiter.Per.CLIENT_ADDRESS)
        public String spoofed() {
            return "ok";
        }

        @Get("/proxied")
        @RateLimiter(limit = 2, period = "1h", per = RateLimiter.Per.CLIENT_ADDRESS)
        public String proxied() {
            return "ok";
        }
    }

    @RegisterExtension
    static final TestService service = TestService.of(() -> Chassis.service("per-client").http(new Api())
            .property("server.trusted-proxies", "127.0.0.1/32"));

    @Test
    void eachClientAddressHasItsOwnLimit() throws IOException {
        assertThat(get("127.0.0.2", "/limited/direct", Map.of()).status).isEqualTo(200);
        assertThat(get("127.0.0.2", "/limited/direct", Map.of()).status).isEqualTo(200);
        Answer refused = get("127.0.0.2", "/limited/direct", Map.of());
        assertThat(refused.status).isEqualTo(429);
        assertThat(Long.parseLong(refused.headers.get("retry-after"))).isBetween(1L, 3600L);
        assertThat(refused.headers.get("content-type")).contains("application/problem+json");
        assertThat(get("127.0.0.3", "/limited/direct", Map.of()).status).as("another client").isEqualTo(200);
    }

    @Test
    void aClientThatIsNoTrustedProxyCannotEscapeItsLimitByForgingForwardedHeaders() throws IOException {
        for (int i = 1; i <= 2; i++) {
            assertThat(get("127.0.0.4", "/limited/spoofed", Map.of("X-Forwarded-For", "198.51.100." + i)).status)
                    .isEqualTo(200);
        }
        assertThat(get("127.0.0.4", "/limited/spoofed", Map.of("X-Forwarded-For", "198.51.100.3")).status)
                .isEqualTo(429);
        assertThat(get("127.0.0.4", "/limited/spoofed", Map.of("Forwarded", "for=198.51.100.4")).status)
                .isEqualTo(429);
    }

    @Test
    void behindATrustedProxyTheForwardedClientAddressIsLimited() throws IOException {
        Map<String, String> first = Map.of("X-Forwarded-For", "203.0.113.7");
        assertThat(get("127.0.0.1", "/limited/proxied", first).status).isEqualTo(200);
        assertThat(get("127.0.0.1", "/limited/proxied", first).status).isEqualTo(200);
        assertThat(get("127.0.0.1", "/limited/proxied", first).status).isEqualTo(429);
        // another client through the same proxy; and one that put its own entry in front of what the proxy appended
        assertThat(get("127.0.0.1", "/limited/proxied", Map.of("X-Forwarded-For", "203.0.113.8")).status)
                .isEqualTo(200);
        assertThat(get("127.0.0.1", "/limited/proxied", Map.of("X-Forwarded-For", "10.9.9.9, 203.0.113.7")).status)
                .as("the client is the nearest untrusted hop, not what it wrote").isEqualTo(429);
    }

    @Test
    void aBadPerClientSettingFailsStartUpNamingTheKey() {
        assertThatThrownBy(() -> Chassis.service("bad").property("server.port", "0").http(new Api())
                .property("handlers.api.direct.rate-limiter.per", "everyone").start())
                .isInstanceOf(ConfigException.class).hasMessageContaining("handlers.api.direct.rate-limiter.per")
                .hasMessageContaining("client-address");
        assertThatThrownBy(() -> Chassis.service("bad").property("server.port", "0").http(new Api())
                .property("handlers.api.direct.rate-limiter.max-clients", "0").start())
                .isInstanceOf(ConfigException.class).hasMessageContaining("handlers.api.direct.rate-limiter.max-clients");
    }

    private record Answer(int status, Map<String, String> headers) {
    }

    /** One GET over a connection from {@code localAddress}. */
    private static Answer get(String localAddress, String path, Map<String, String> headers) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), service.port()), 5_000);
            socket.setSoTimeout(10_000);
            StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
            headers.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
            OutputStream out = socket.getOutputStream();
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            String[] lines = answer.substring(0, answer.indexOf("\r\n\r\n")).split("\r\n");
            Map<String, String> names = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                names.put(lines[i].substring(0, colon).trim().toLowerCase(), lines[i].substring(colon + 1).trim());
            }
            return new Answer(Integer.parseInt(lines[0].split(" ")[1]), names);
        }
    }
}
