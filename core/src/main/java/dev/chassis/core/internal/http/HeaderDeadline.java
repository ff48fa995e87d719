package dev.chassis.core.internal.http;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.chassis.core.Problem;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ProtocolConfigs;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.http1.Http1ConnectionProvider;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

/**
 * A deadline for reading a request's headers on HTTP/1.1 connections.
 *
 * <p>Helidon 4.5.0 waits without limit for the rest of a request's headers once its request line has
 * arrived (a slow or stalled client holds a connection and a thread for as long as it likes). This
 * selector wraps Helidon's own HTTP/1.1 selector, learns from connection listeners when a request line
 * has been read and when its headers are complete, and a watchdog answers 408 and closes connections
 * whose headers take longer than the deadline. Connections that sit idle before a request line are
 * closed by Helidon's idle-connection timeout, which Chassis configures. Not API.
 */
public final class HeaderDeadline implements ServerConnectionSelector, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HeaderDeadline.class.getName());

    private static final byte[] PRI = "PRI * HTTP/2".getBytes(StandardCharsets.US_ASCII);

    private final long deadlineNanos;
    private final Map<ConnectionContext, Tracked> connections = new ConcurrentHashMap<>();
    private final ServerConnectionSelector delegate;
    private final ScheduledExecutorService watchdog;
    private final byte[] timeoutResponse;

    private static final class Tracked {
        final ServerConnection connection;
        volatile long headersStartedAt; // 0 when not reading headers

        Tracked(ServerConnection connection) {
            this.connection = connection;
        }
    }

    /**
     * @param deadline   how long headers may take after the request line
     * @param http1      HTTP/1.1 settings; this class adds its listeners to them
     * @param socketName the listener's name
     * @param protocols  the listener's protocol configurations (for the h2c upgrade)
     */
    public HeaderDeadline(Duration deadline, Http1Config.Builder http1, String socketName, ProtocolConfigs protocols) {
        this.deadlineNanos = deadline.toNanos();
        Http1ConnectionListener listener = new Http1ConnectionListener() {
            @Override
            public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
                Tracked t = connections.get(ctx);
                if (t != null) {
                    t.headersStartedAt = System.nanoTime() | 1L;
                }
            }

            @Override
            public void headers(ConnectionContext ctx, Headers headers) {
                Tracked t = connections.get(ctx);
                if (t != null) {
                    t.headersStartedAt = 0;
                }
            }
        };
        Http1Config config = http1.addReceiveListener(listener).build();
        this.delegate = new Http1ConnectionProvider().create(socketName, config, protocols);
        byte[] body = Problems.toJson(Problem.builder(408).detail("the request's headers did not arrive within "
                + deadline.toMillis() + " ms").build(), null, null);
        this.timeoutResponse = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: application/problem+json\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n" + new String(body, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chassis-header-deadline");
            t.setDaemon(true);
            return t;
        });
        long tick = Math.max(10, Math.min(250, deadline.toMillis() / 4));
        watchdog.scheduleAtFixedRate(this::closeLate, tick, tick, TimeUnit.MILLISECONDS);
    }

    @Override
    public int bytesToIdentifyConnection() {
        return delegate.bytesToIdentifyConnection();
    }

    /**
     * Claims every connection that is not HTTP/2 with prior knowledge. Helidon's own HTTP/1.1 selector
     * declines a first line that does not end in {@code HTTP/1.1}, and then no selector takes the
     * connection: it is held, unanswered, for as long as the client keeps it open. Claimed here, such a
     * request gets a 400 problem from the HTTP/1.1 parser instead.
     */
    @Override
    public Support supports(BufferData request) {
        int n = Math.min(PRI.length, request.available());
        for (int i = 0; i < n; i++) {
            if (request.get(i) != PRI[i]) {
                return Support.SUPPORTED;
            }
        }
        return n == PRI.length ? Support.UNSUPPORTED : delegate.supports(request);
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return delegate.supportedApplicationProtocols();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        ServerConnection connection = delegate.connection(ctx);
        Tracked tracked = new Tracked(connection);
        return new ServerConnection() {
            @Override
            public void handle(Limit limit) throws InterruptedException {
                connections.put(ctx, tracked);
                try {
                    connection.handle(limit);
                } finally {
                    connections.remove(ctx);
                }
            }

            @Override
            public Duration idleTime() {
                return connection.idleTime();
            }

            @Override
            public void close(boolean interrupt) {
                connection.close(interrupt);
            }
        };
    }

    private void closeLate() {
        long now = System.nanoTime();
        connections.forEach((ctx, t) -> {
            long started = t.headersStartedAt;
            if (started != 0 && now - started > deadlineNanos) {
                connections.remove(ctx);
                try {
                    ctx.dataWriter().writeNow(BufferData.create(timeoutResponse));
                } catch (RuntimeException e) {
                    LOG.log(Level.DEBUG, "could not write 408 before closing a slow connection", e);
                }
                t.connection.close(true);
            }
        });
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }
}
