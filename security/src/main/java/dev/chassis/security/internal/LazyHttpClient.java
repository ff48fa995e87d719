package dev.chassis.security.internal;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The JDK {@link HttpClient} that an issuer's fetches and client-credentials token requests use (no redirects
 * followed), made by the first request rather than at start-up: making one builds a TLS context from the JDK's CAs,
 * a tenth of a service's start measured. Thread-safe. Not API.
 */
public final class LazyHttpClient {
    private final Duration connectTimeout;
    private final ReentrantLock creating = new ReentrantLock();
    private volatile HttpClient client;

    /** @param connectTimeout how long a connection may take */
    public LazyHttpClient(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    /**
     * The client, made now if no request has made it yet.
     *
     * @throws IllegalStateException when it cannot be made (the JDK's default TLS context cannot be: a broken trust
     *                               store), its message naming the root cause
     */
    public HttpClient get() {
        HttpClient c = client;
        if (c != null) {
            return c;
        }
        creating.lock();
        try {
            if (client == null) {
                client = HttpClient.newBuilder().connectTimeout(connectTimeout)
                        .followRedirects(HttpClient.Redirect.NEVER).build();
            }
            return client;
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw new IllegalStateException("no HTTP client could be made: " + e + (root == e ? "" : " (" + root + ")"),
                    e);
        } finally {
            creating.unlock();
        }
    }
}
