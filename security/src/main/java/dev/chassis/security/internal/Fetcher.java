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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.nimbusds.jose.util.JSONObjectUtils;

/**
 * Fetches the small JSON documents of an issuer (discovery, JWKS): with a timeout, a bounded body, and errors worded
 * for the readiness check and the log. Thread-safe. Not API.
 */
final class Fetcher {
    private final Duration timeout;
    private final long maxSize;
    private final LazyHttpClient http;

    Fetcher(Duration timeout, long maxSize) {
        this.timeout = timeout;
        this.maxSize = maxSize;
        this.http = new LazyHttpClient(timeout);
    }

    /** The JSON object at {@code uri}. */
    Map<String, Object> json(URI uri) throws FetchException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET()
                .build();
        HttpClient client;
        try {
            client = http.get();
        } catch (IllegalStateException e) {
            throw new FetchException(e.getMessage());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new FetchException(uri + " answered " + response.statusCode());
                }
                byte[] bytes = readWithin(body, deadline, uri);
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

    /**
     * The body, read by a thread of its own so that the whole fetch ends within the timeout: the request's timeout
     * covers the answer's headers only, and a provider sending its keys a byte at a time (or not at all) held every
     * request of that issuer waiting for the keys.
     */
    private byte[] readWithin(InputStream body, long deadline, URI uri) throws IOException, InterruptedException,
            FetchException {
        FutureTask<byte[]> read = new FutureTask<>(() -> body.readNBytes((int) maxSize + 1));
        Thread.ofVirtual().name("chassis-fetch").start(read);
        try {
            return read.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            read.cancel(true);
            body.close(); // ends the read
            throw new FetchException(uri + " did not send its document within " + timeout.toMillis()
                    + " ms (security.fetch-timeout)");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
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
