package dev.chassis.security.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import com.nimbusds.jose.util.JSONObjectUtils;

/**
 * Fetches the small JSON documents of an issuer (discovery, JWKS): with a timeout, a bounded body, and errors worded
 * for the readiness check and the log. Thread-safe. Not API.
 */
final class Fetcher {
    private final Duration timeout;
    private final long maxSize;
    private final ReentrantLock creating = new ReentrantLock();
    /** Made by the first fetch, off start-up's path: a client's TLS context (the JDK's CAs) costs a tenth of a start. */
    private volatile HttpClient http;

    Fetcher(Duration timeout, long maxSize) {
        this.timeout = timeout;
        this.maxSize = maxSize;
    }

    private HttpClient http() throws FetchException {
        HttpClient h = http;
        if (h == null) {
            creating.lock();
            try {
                h = http;
                if (h == null) {
                    h = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                            .build();
                    http = h;
                }
            } catch (RuntimeException e) { // the JDK's default TLS context cannot be made (a broken trust store)
                Throwable root = e;
                while (root.getCause() != null && root.getCause() != root) {
                    root = root.getCause();
                }
                throw new FetchException("no HTTP client could be made: " + e + (root == e ? "" : " (" + root + ")"));
            } finally {
                creating.unlock();
            }
        }
        return h;
    }

    /** The JSON object at {@code uri}. */
    Map<String, Object> json(URI uri) throws FetchException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET()
                .build();
        try {
            HttpResponse<InputStream> response = http().send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new FetchException(uri + " answered " + response.statusCode());
                }
                byte[] bytes = body.readNBytes((int) maxSize + 1);
                if (bytes.length > maxSize) {
                    throw new FetchException(uri + " sent more than " + maxSize + " bytes (security.fetch-max-size)");
                }
                return JSONObjectUtils.parse(new String(bytes, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new FetchException(uri + " could not be read: " + (e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (ParseException e) {
            throw new FetchException(uri + " sent no JSON object: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException(uri + " could not be read: interrupted");
        }
    }

    /** A document could not be fetched; the message says which and why. */
    static final class FetchException extends Exception {
        private static final long serialVersionUID = 1L;

        FetchException(String message) {
            super(message, null, false, false);
        }
    }
}
