package dev.chassis.tests.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Origin;
import dev.chassis.core.http.Post;
import dev.chassis.core.http.Response;
import dev.chassis.testing.CapturedSpans;
import dev.chassis.testing.StartFailure;

/**
 * {@code server.trusted-proxies}: a raw client posing as a proxy — trusted (its address is listed) or not — sends
 * {@code Forwarded} and {@code X-Forwarded-*} headers; only a trusted one's count, for the handler's {@link Origin},
 * the problem's {@code instance} and a relative {@code Location}.
 */
class TrustedProxiesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Answers what it knows of the request's origin. */
    public static final class Where {
        @Get("/where")
        public Map<String, Object> where(Origin origin) {
            return Map.of("client", origin.clientAddress(), "scheme", origin.scheme(), "host", origin.host(),
                    "prefix", origin.prefix(), "forwarded", origin.forwarded(), "self", origin.uri("/where").toString());
        }

        @Post("/orders")
        public Response<String> create() {
            return Response.created(URI.create("/orders/1"), "made");
        }
    }

    private static ServiceBuilder service(String trusted) {
        ServiceBuilder b = Chassis.service("edge").http(new Where()).property("server.port", "0");
        return trusted == null ? b : b.property("server.trusted-proxies", trusted);
    }

    private static String get(RunningService service, String path, String... headers) throws IOException {
        StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: localhost:" + service.port() + "\r\n");
        for (String h : headers) {
            request.append(h).append("\r\n");
        }
        try (RawSocket socket = new RawSocket(service.port(), 10_000)) {
            return socket.send(request.append("\r\n").toString()).readOneResponse();
        }
    }

    private static JsonNode where(RunningService service, String... headers) throws IOException {
        String reply = get(service, "/where", headers);
        assertThat(reply).startsWith("HTTP/1.1 200");
        return JSON.readTree(reply.substring(reply.indexOf("\r\n\r\n") + 4));
    }

    private static final String[] SPOOFED = {"X-Forwarded-For: 203.0.113.7, 10.0.0.2", "X-Forwarded-Proto: https",
        "X-Forwarded-Host: api.example.com", "X-Forwarded-Prefix: /shop"};

    @Test
    void aTrustedProxysXForwardedHeadersCount() throws IOException {
        RunningService service = service("127.0.0.1, ::1, 10.0.0.0/8").start();
        try {
            JsonNode w = where(service, SPOOFED);
            assertThat(w.path("client").asText()).as("10.0.0.2 is a trusted proxy too").isEqualTo("203.0.113.7");
            assertThat(w.path("scheme").asText()).isEqualTo("https");
            assertThat(w.path("host").asText()).isEqualTo("api.example.com");
            assertThat(w.path("prefix").asText()).isEqualTo("/shop");
            assertThat(w.path("forwarded").asBoolean()).isTrue();
            assertThat(w.path("self").asText()).isEqualTo("https://api.example.com/shop/where");

            String missing = get(service, "/nowhere", SPOOFED);
            assertThat(missing).startsWith("HTTP/1.1 404").contains("\"instance\":\"/shop/nowhere\"");
            try (RawSocket socket = new RawSocket(service.port(), 10_000)) {
                String created = socket.send("POST /orders HTTP/1.1\r\nHost: x\r\nX-Forwarded-Prefix: /shop\r\n"
                        + "Content-Length: 0\r\n\r\n").readOneResponse();
                assertThat(created).startsWith("HTTP/1.1 201").containsIgnoringCase("Location: /shop/orders/1\r\n");
            }
        } finally {
            service.stop();
        }
    }

    @Test
    void theSpanNamesTheClientAndItsScheme() throws IOException {
        RunningService service = service("127.0.0.1, ::1, 10.0.0.0/8").start();
        try {
            String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
            where(service, "traceparent: 00-" + trace + "-00f067aa0ba902b7-01", SPOOFED[0], SPOOFED[1]);
            JsonNode span = CapturedSpans.of(service.uri()).await(trace, 1).get(0);
            assertThat(span.path("attributes").path("client.address").asText()).isEqualTo("203.0.113.7");
            assertThat(span.path("attributes").path("url.scheme").asText()).isEqualTo("https");
        } finally {
            service.stop();
        }
    }

    @Test
    void theFirstUntrustedHopIsTheClient() throws IOException {
        RunningService service = service("127.0.0.1, ::1").start();
        try {
            assertThat(where(service, "X-Forwarded-For: 203.0.113.7, 10.0.0.2").path("client").asText())
                    .as("10.0.0.2 is not trusted: it may have made up 203.0.113.7").isEqualTo("10.0.0.2");
        } finally {
            service.stop();
        }
    }

    @Test
    void aTrustedProxysForwardedHeaderCounts() throws IOException {
        RunningService service = service("127.0.0.1, ::1, 10.0.0.0/8")
                .property("server.trusted-proxy-headers", "forwarded").start();
        try {
            JsonNode w = where(service, "Forwarded: for=203.0.113.9;proto=https;host=\"gw.example:8443\", for=10.1.2.3");
            assertThat(w.path("client").asText()).isEqualTo("203.0.113.9");
            assertThat(w.path("scheme").asText()).isEqualTo("https");
            assertThat(w.path("host").asText()).isEqualTo("gw.example:8443");
            assertThat(where(service, "Forwarded: For=\"[2001:db8::17]:4711\";Proto=http").path("client").asText())
                    .isEqualTo("2001:db8::17");
            assertThat(where(service, "Forwarded: for=unknown").path("client").asText()).isEqualTo("unknown");
            assertThat(where(service, "Forwarded: for=_hidden, for=10.0.0.9").path("client").asText())
                    .isEqualTo("_hidden");
            JsonNode both = where(service, "Forwarded: for=198.51.100.1", "X-Forwarded-For: 203.0.113.7",
                    "X-Forwarded-Host: evil.example");
            assertThat(both.path("client").asText()).as("X-Forwarded-* are not read").isEqualTo("198.51.100.1");
            assertThat(both.path("host").asText()).isEqualTo("localhost:" + service.port());
        } finally {
            service.stop();
        }
    }

    /**
     * A proxy that writes X-Forwarded-* passes a client's own Forwarded header on: by default it is not read, and of
     * the X-Forwarded values the nearest proxy's (the last) counts.
     */
    @Test
    void theSetTheProxiesDoNotWriteAndTheClientsOwnValuesAreNotBelieved() throws IOException {
        RunningService service = service("127.0.0.1, ::1").start();
        try {
            JsonNode spoofed = where(service, "Forwarded: for=10.1.2.3;proto=https;host=evil.example");
            assertThat(spoofed.path("client").asText()).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
            assertThat(spoofed.path("host").asText()).isEqualTo("localhost:" + service.port());
            JsonNode appended = where(service, "X-Forwarded-Host: evil.example, api.example.com",
                    "X-Forwarded-Proto: http, https", "X-Forwarded-Prefix: /evil, /shop");
            assertThat(appended.path("host").asText()).isEqualTo("api.example.com");
            assertThat(appended.path("scheme").asText()).isEqualTo("https");
            assertThat(appended.path("prefix").asText()).isEqualTo("/shop");
            assertThat(where(service, "X-Forwarded-For: not-an-address, 203.0.113.7").path("client").asText())
                    .as("a malformed entry a client wrote does not hide the one the proxy added").isEqualTo("203.0.113.7");
            assertThat(where(service, "X-Forwarded-For: [.:1]").path("client").asText())
                    .as("not an IP literal, and never resolved").isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
        } finally {
            service.stop();
        }
    }

    @Test
    void anUntrustedPeersHeadersAreIgnored() throws IOException {
        for (String trusted : new String[] {"10.0.0.0/8", null}) {
            RunningService service = service(trusted).start();
            try {
                JsonNode w = where(service, SPOOFED);
                assertThat(w.path("client").asText()).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
                assertThat(w.path("scheme").asText()).isEqualTo("http");
                assertThat(w.path("host").asText()).isEqualTo("localhost:" + service.port());
                assertThat(w.path("prefix").asText()).isEmpty();
                assertThat(w.path("forwarded").asBoolean()).isFalse();
                assertThat(where(service, "Forwarded: for=203.0.113.9;proto=https").path("client").asText())
                        .isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
                assertThat(get(service, "/nowhere", SPOOFED)).contains("\"instance\":\"/nowhere\"");
            } finally {
                service.stop();
            }
        }
    }

    @Test
    void malformedForwardedHeadersAreIgnored() throws IOException {
        RunningService service = service("127.0.0.1, ::1").property("server.trusted-proxy-headers", "forwarded").start();
        try {
            for (String bad : new String[] {"Forwarded: for=203.0.113.9;proto", "Forwarded: for=203.0.113.9;;",
                "Forwarded: for=203.0.113.9;host=gw.example:8443", // a port makes the host a quoted string (RFC 7239 §4)
                "Forwarded: for=\"203.0.113.9", "Forwarded: for=<script>", "Forwarded: =x"}) {
                assertThat(where(service, bad).path("client").asText()).as(bad).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
            }
            assertThat(where(service, "Forwarded: for=198.51.100.1;secret=\"x y\";by=10.0.0.1").path("client").asText())
                    .as("unknown parameters are allowed (RFC 7239 §5.5)").isEqualTo("198.51.100.1");
            // what a client wrote before the element the proxy appended cannot hide it: a malformed element ends the
            // reading from the nearest, in one header line or across lines, and an unbalanced quote cannot swallow it
            for (String[] appended : new String[][] {{"Forwarded: for=<script>, for=198.51.100.2"},
                {"Forwarded: for=\"203.0.113.9, for=198.51.100.2"}, {"Forwarded: ;;;", "Forwarded: for=198.51.100.2"},
                {"Forwarded: for=203.0.113.9;proto", "Forwarded: for=198.51.100.2;proto=https"}}) {
                JsonNode w = where(service, appended);
                assertThat(w.path("client").asText()).as(String.join(" | ", appended)).isEqualTo("198.51.100.2");
            }
            assertThat(where(service, "Forwarded: for=198.51.100.3, for=<script>").path("client").asText())
                    .as("the nearest element malformed: the peer stays the client").isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
            service.stop();
            service = service("127.0.0.1, ::1").start();
            for (String bad : new String[] {"X-Forwarded-For: 203.0.113.7 evil", "X-Forwarded-For: <script>"}) {
                assertThat(where(service, bad).path("client").asText()).as(bad).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
            }
            JsonNode w = where(service, "X-Forwarded-Proto: javascript", "X-Forwarded-Host: evil.com/x",
                    "X-Forwarded-Prefix: //evil.com");
            assertThat(w.path("scheme").asText()).isEqualTo("http");
            assertThat(w.path("host").asText()).isEqualTo("localhost:" + service.port());
            assertThat(w.path("prefix").asText()).isEmpty();
        } finally {
            service.stop();
        }
    }

    @Test
    void aListedNameOrBadBlockStopsStartUp() {
        assertThat(StartFailure.of(service("proxy.internal, 10.0.0.0/33, 10.0.0.0/8")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.trusted-proxies: 'proxy.internal' is not an IP address or a CIDR block")
                .hasMessageContaining("'10.0.0.0/33'")
                .hasMessageNotContaining("'10.0.0.0/8'");
    }
}
