package dev.chassis.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

import javax.net.ssl.SSLContext;

/**
 * A small HTTP client for tests, over real sockets ({@link HttpClient}). Requests with a body send
 * {@code Content-Type: application/json} unless a header says otherwise. Thread-safe.
 */
public final class TestClient {
    private final URI base;
    private final HttpClient http;
    private final SSLContext tls;

    /** An HTTP/1.1 client for a base URI such as {@code http://localhost:8080}. */
    public TestClient(URI base) {
        this(base, HttpClient.Version.HTTP_1_1);
    }

    /**
     * An HTTP/1.1 client for an {@code https://} base with its own TLS: the CAs it trusts and the certificate it
     * presents, as {@link TestCertificates#clientContext(TestCertificates.Issued)} gives them (mutual TLS).
     */
    public TestClient(URI base, SSLContext tls) {
        this(base, HttpClient.Version.HTTP_1_1, Objects.requireNonNull(tls, "tls"));
    }

    private TestClient(URI base, HttpClient.Version version) {
        this(base, version, null);
    }

    private TestClient(URI base, HttpClient.Version version, SSLContext tls) {
        this.base = Objects.requireNonNull(base, "base");
        this.tls = tls;
        HttpClient.Builder b = HttpClient.newBuilder().version(version).connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            b.sslContext(tls);
        }
        this.http = b.build();
    }

    /** A client that speaks HTTP/2 to the same base: cleartext (h2c, by upgrade), or by ALPN over its TLS. */
    public TestClient http2() {
        return new TestClient(base, HttpClient.Version.HTTP_2, tls);
    }

    /** GET. */
    public TestResponse get(String path, String... headers) {
        return send("GET", path, null, headers);
    }

    /** POST with a JSON body. */
    public TestResponse post(String path, String json, String... headers) {
        return send("POST", path, json, headers);
    }

    /** PUT with a JSON body. */
    public TestResponse put(String path, String json, String... headers) {
        return send("PUT", path, json, headers);
    }

    /** PATCH with a JSON body. */
    public TestResponse patch(String path, String json, String... headers) {
        return send("PATCH", path, json, headers);
    }

    /** DELETE. */
    public TestResponse delete(String path, String... headers) {
        return send("DELETE", path, null, headers);
    }

    /**
     * Any request.
     *
     * @param headers name, value, name, value...
     */
    public TestResponse send(String method, String path, String body, String... headers) {
        if (headers.length % 2 != 0) {
            throw new IllegalArgumentException("headers are name/value pairs, but " + headers.length + " strings were given");
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
        boolean contentType = false;
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
            contentType |= headers[i].equalsIgnoreCase("Content-Type");
        }
        if (body != null && !contentType) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new TestResponse(r.statusCode(), r.headers().map(), r.body(), r.version().name());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
