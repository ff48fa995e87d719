package dev.chassis.tests.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chassis.core.Chassis;
import dev.chassis.core.Problem;
import dev.chassis.core.RunningService;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Origin;
import dev.chassis.core.http.PathParam;
import dev.chassis.core.http.Post;
import dev.chassis.core.http.Response;
import dev.chassis.testing.TestCertificates;

/**
 * What the gateway tests share: the service behind the proxy, a raw HTTP client that connects from {@link #CLIENT}
 * (not the proxy's address), the proxy's TLS certificate, and the recipes of {@code docs/gateway.md}.
 */
final class Gateway {
    /** Where the test client connects from: Linux routes all of 127/8 to the loopback, so the proxy sees this peer. */
    static final String CLIENT = "127.0.0.2";
    /** Where the proxies connect from, the only address the service trusts. */
    static final String TRUSTED = "127.0.0.1/32";
    private static final Path DOC = Path.of("..", "docs", "gateway.md");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Gateway() {
    }

    /** Answers what it knows of the request's origin, makes orders, and knows none. */
    public static final class Orders {
        @Get("/where")
        public Map<String, Object> where(Origin origin) {
            return Map.of("client", origin.clientAddress(), "scheme", origin.scheme(), "host", origin.host(),
                    "prefix", origin.prefix(), "forwarded", origin.forwarded(), "self", origin.uri("/where").toString());
        }

        /** An absolute Location, made from the request's origin. */
        @Post("/orders")
        public Response<String> place(Origin origin) {
            return Response.created(origin.uri("/orders/1"), "placed");
        }

        /** A relative Location, which Chassis prefixes itself. */
        @Post("/drafts")
        public Response<String> draft() {
            return Response.created(URI.create("/drafts/1"), "drafted");
        }

        @Get("/orders/{id}")
        public String order(@PathParam("id") String id) {
            throw Problem.notFound("no order " + id);
        }
    }

    /** The service, trusting only {@link #TRUSTED}, and reading the given header set. */
    static RunningService service(String trustedProxyHeaders) {
        return Chassis.service("orders").http(new Orders()).property("server.port", "0")
                .property("server.trusted-proxies", TRUSTED)
                .property("server.trusted-proxy-headers", trustedProxyHeaders).start();
    }

    /** The one code block of {@code docs/gateway.md} whose info string is {@code language}. */
    static String recipe(String language) {
        String doc;
        try {
            doc = Files.readString(DOC);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher m = Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertThat(m.find()).as("a ```" + language + " block in " + DOC).isTrue();
        String block = m.group(1);
        assertThat(m.find()).as("only one ```" + language + " block in " + DOC).isFalse();
        return block;
    }

    /** {@code text} with {@code what} replaced, failing when the recipe no longer holds it. */
    static String substitute(String text, String what, String with) {
        assertThat(text).as("the recipe changed: the test substitutes this part of it").contains(what);
        return text.replace(what, with);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A directory for a proxy's files, which its workers (nobody, when the test runs as root) can enter. */
    static Path directory(String name) {
        try {
            Path dir = Files.createTempDirectory("chassis-" + name + "-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes {@code dir} and what it holds. */
    static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A CA, and a certificate it signed for localhost and 127.0.0.1, written to {@code dir} as PEM. */
    record Tls(TestCertificates ca, Path certificate, Path key) {
        static Tls in(Path dir) {
            TestCertificates ca = TestCertificates.authority("gateway test CA");
            Path certificate = dir.resolve("gateway.pem");
            Path key = dir.resolve("gateway.key");
            ca.issue("gateway").dns("localhost").ip("127.0.0.1").create().writePem(certificate, key);
            return new Tls(ca, certificate, key);
        }

        /** The certificate chain and the key in one PEM file, as HAProxy's {@code crt} takes them. */
        Path combined() {
            try {
                Path both = certificate.resolveSibling("gateway-with-key.pem");
                Files.writeString(both, Files.readString(certificate) + Files.readString(key));
                return both;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** One response: status, headers (names in lower case; the last of repeated ones) and body. */
    record Reply(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }
    }

    /**
     * Sends one request from {@link #CLIENT} to 127.0.0.1:{@code port} — over TLS when {@code tls} is not null,
     * checking the certificate's name — with {@code headers} as written, and {@code Host: localhost:<port>} unless
     * they hold a {@code Host}.
     */
    static Reply send(int port, SSLContext tls, String method, String path, String... headers) throws IOException {
        return send(CLIENT, "127.0.0.1", port, tls, method, path, headers);
    }

    /** Like {@link #send(int, SSLContext, String, String, String...)}, from address {@code from} to {@code to}. */
    static Reply send(String from, String to, int port, SSLContext tls, String method, String path, String... headers)
            throws IOException {
        StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nConnection: close\r\n");
        if (Stream.of(headers).noneMatch(h -> h.regionMatches(true, 0, "Host:", 0, 5))) {
            request.append("Host: localhost:").append(port).append("\r\n");
        }
        for (String h : headers) {
            request.append(h).append("\r\n");
        }
        if (method.equals("POST")) {
            request.append("Content-Length: 0\r\n");
        }
        request.append("\r\n");
        try (Socket socket = tls == null ? new Socket() : tls.getSocketFactory().createSocket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress(to, port), 10_000);
            socket.setSoTimeout(10_000);
            if (socket instanceof SSLSocket ssl) {
                SSLParameters parameters = ssl.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(parameters);
                ssl.startHandshake();
            }
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return parse(new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1));
        }
    }

    private static Reply parse(String text) {
        int end = text.indexOf("\r\n\r\n");
        assertThat(end).as("a whole response head in: " + text).isPositive();
        List<String> lines = List.of(text.substring(0, end).split("\r\n"));
        Map<String, String> headers = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        String body = text.substring(end + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        return new Reply(Integer.parseInt(lines.get(0).substring(9, 12)), headers, body);
    }

    private static String dechunk(String chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (true) {
            int eol = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, eol).split(";")[0].trim(), 16);
            if (size == 0) {
                return out.toString(StandardCharsets.ISO_8859_1);
            }
            out.writeBytes(chunked.substring(eol + 2, eol + 2 + size).getBytes(StandardCharsets.ISO_8859_1));
            at = eol + 2 + size + 2;
        }
    }
}
