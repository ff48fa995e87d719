package dev.chassis.core.internal.transport;

import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.chassis.core.Problem;
import dev.chassis.core.internal.tls.HandshakeFailures;
import dev.chassis.core.internal.tls.TlsFailures;
import io.helidon.common.HelidonServiceLoader;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ProtocolConfigs;
import io.helidon.webserver.grpc.GrpcConfig;
import io.helidon.webserver.grpc.GrpcProtocolSelector;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.http1.Http1ConnectionProvider;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.http1.Http1ConnectionSelectorConfig;
import io.helidon.webserver.http1.spi.Http1Upgrader;
import io.helidon.webserver.http2.Http2Config;
import io.helidon.webserver.http2.Http2ConnectionSelector;
import io.helidon.webserver.http2.spi.Http2SubProtocolProvider;
import io.helidon.webserver.http2.spi.Http2SubProtocolSelector;
import io.helidon.webserver.spi.ProtocolConfig;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongGauge;
import dev.chassis.core.internal.grpc.InboundMessages;
import dev.chassis.core.internal.http.Problems;

/**
 * The listener's only connection selector: it takes every connection, tells HTTP/2 with prior knowledge
 * from HTTP/1.1 itself, and keeps the time limits Helidon 4.5.0 does not.
 *
 * <ul>
 * <li>With more than one selector, Helidon reads a connection's first bytes before it tracks the
 * connection, without a time limit: a client that connects and sends nothing is held forever. Here the
 * connection is handed to Helidon at once, so its idle timeout applies while we wait for the first
 * bytes.</li>
 * <li>Helidon waits without limit for the rest of a request's headers once the request line has arrived.
 * HTTP/1.1 listeners report when a request line has been read and when its headers are complete; a
 * watchdog answers 408 and closes connections whose headers take longer than the deadline. On HTTP/2 (prior
 * knowledge, TLS with ALPN {@code h2}, and {@code Upgrade: h2c}) Helidon waits as long for the CONTINUATION frames of
 * a header block:
 * the connection's bytes are followed frame by frame as Helidon reads them ({@link Http2HeaderBlocks}), and the
 * same watchdog closes a connection whose header block stays open longer than the deadline (no GOAWAY: the
 * connection's writer may be busy with other streams).</li>
 * <li>When an HTTP/2 connection ends, Helidon does not wake its streams: a request still reading a body would wait for
 * bytes that cannot come. The connection's streams (also after an HTTP/1.1 {@code Upgrade: h2c}) know its
 * {@link ConnectionEnd}, which wakes them.</li>
 * <li>After an HTTP/1.1 answer with {@code Connection: close}, the connection closes before another request on it
 * runs. Helidon 4.5.0 reads on after its error answers (a 413 while reading a chunked body over the limit leaves the
 * rest of the body unread): the bytes that follow would otherwise be served as a request of their own — a request
 * smuggled past a proxy, with the proxy's headers.</li>
 * <li>A first line that does not end in {@code HTTP/1.1} (garbage, HTTP/1.0) goes to the HTTP/1.1 parser
 * and gets an answer, instead of no selector taking the connection.</li>
 * <li>Above {@code server.max-connections} open connections, a new connection is closed at once, before a byte of it
 * is read, and counted in {@value #REFUSED_METRIC}. Helidon's own {@code maxTcpConnections} stops accepting instead,
 * which leaves clients waiting in the kernel's backlog without an answer.</li>
 * </ul>
 * Not API.
 */
public final class ConnectionGuard implements ServerConnectionSelector, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ConnectionGuard.class.getName());
    private static final byte[] PRI = "PRI * HTTP/2".getBytes(StandardCharsets.US_ASCII);
    private static final long NOT_READING = 0;
    private static final long TIMED_OUT = -1;
    /** The counter of connections refused above the limit. */
    public static final String REFUSED_METRIC = "chassis.server.connections.refused";
    /** The gauge of connections open now. */
    public static final String OPEN_METRIC = "chassis.server.connections.open";
    /** The gauge of the limit in effect. */
    public static final String LIMIT_METRIC = "chassis.server.connections.limit";

    private final long deadlineNanos;
    private final Map<ConnectionContext, Tracked> tracked = new ConcurrentHashMap<>();
    private final ServerConnectionSelector http1;
    private final ServerConnectionSelector http2;
    private final ScheduledExecutorService watchdog;
    private final byte[] timeoutResponse;
    private final HandshakeFailures handshakeFailures; // null on a plaintext port
    private final long handshakeNanos;
    private final int maxConnections;
    private final AtomicInteger open = new AtomicInteger();
    private final LongCounter refused;
    private final Attributes refusedAttributes;
    private final ObservableLongGauge openGauge;
    private final ObservableLongGauge limitGauge;
    private final AtomicBoolean refusalLogged = new AtomicBoolean();
    private final String socketName;

    /** What the watchdog knows of one connection. */
    private static final class Tracked {
        /** Whether the connection speaks HTTP/2: from its start, or since an HTTP/1.1 {@code Upgrade: h2c}. */
        volatile boolean http2;
        volatile ServerConnection connection;
        /**
         * When the request line (HTTP/2: a header block) began (nanoTime, never 0), {@link #NOT_READING}, or
         * {@link #TIMED_OUT}.
         */
        final AtomicLong headersStartedAt = new AtomicLong(NOT_READING);
        /** An HTTP/1.1 response said {@code Connection: close}: no further request on this connection may run. */
        volatile boolean closing;

        Tracked(boolean http2) {
            this.http2 = http2;
        }
    }

    /**
     * @param headerDeadline how long headers may take after the request line
     * @param http1          HTTP/1.1 settings; the guard adds its listeners
     * @param http2          HTTP/2 settings (prior knowledge and h2c upgrade)
     * @param socketName     the listener's name
     * @param discovered     the protocol configurations Helidon discovered (HTTP/2 sub-protocols among them);
     *                       HTTP/1.1 and HTTP/2 are replaced by the two above
     * @param handshakeFailures where a TLS port's failed handshakes are counted and logged; null on a plaintext port
     * @param handshakeDeadline how long a TLS connection may take to handshake and send its first bytes
     * @param maxConnections    the most connections open at once; more are closed at once and counted
     * @param otel              where refused connections are counted
     */
    public ConnectionGuard(Duration headerDeadline, Http1Config.Builder http1, Http2Config http2, String socketName,
                           List<ProtocolConfig> discovered, int maxGrpcMessage, HandshakeFailures handshakeFailures,
                           Duration handshakeDeadline, int maxConnections, OpenTelemetry otel) {
        HangUps.install();
        this.deadlineNanos = headerDeadline.toNanos();
        this.maxConnections = maxConnections;
        this.socketName = socketName;
        this.refused = otel.getMeter("dev.chassis").counterBuilder(REFUSED_METRIC).setUnit("{connection}")
                .setDescription("connections closed at once because the listener had server.max-connections open").build();
        this.refusedAttributes = Attributes.of(AttributeKey.stringKey("server.socket"), socketName);
        Meter meter = otel.getMeter("dev.chassis");
        this.openGauge = meter.gaugeBuilder(OPEN_METRIC).ofLongs().setUnit("{connection}")
                .setDescription("connections the listener has open").buildWithCallback(m -> m.record(open.get(), refusedAttributes));
        this.limitGauge = meter.gaugeBuilder(LIMIT_METRIC).ofLongs().setUnit("{connection}")
                .setDescription("server.max-connections in effect (when unset: sized from the heap)")
                .buildWithCallback(m -> m.record(maxConnections, refusedAttributes));
        this.handshakeFailures = handshakeFailures;
        this.handshakeNanos = handshakeDeadline.toNanos();
        Http1ConnectionListener listener = new Http1ConnectionListener() {
            @Override
            public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
                Tracked t = tracked.get(ctx);
                if (t != null) {
                    if (t.closing) {
                        // Helidon 4.5.0 goes on reading a connection after an error answer with Connection: close
                        // (a 413 for a chunked body over the limit): what follows is the unread body, not a request
                        throw new CloseConnectionException("a request after an answer that closed the connection");
                    }
                    t.headersStartedAt.set(System.nanoTime() | 1L);
                }
            }

            @Override
            public void headers(ConnectionContext ctx, Headers headers) {
                Tracked t = tracked.get(ctx);
                if (t != null && t.headersStartedAt.getAndSet(NOT_READING) == TIMED_OUT) {
                    // the watchdog already answered 408: this request must not run
                    throw new CloseConnectionException("request headers arrived after the deadline");
                }
            }
        };
        Http1ConnectionListener answered = new Http1ConnectionListener() {
            @Override
            public void headers(ConnectionContext ctx, Headers headers) {
                if (headers.contains(HeaderValues.CONNECTION_CLOSE)) {
                    Tracked t = tracked.get(ctx);
                    if (t != null) {
                        t.closing = true;
                    }
                }
            }
        };
        Http1Config http1Config = http1.addReceiveListener(listener).addSendListener(answered).build();
        List<ProtocolConfig> protocols = new ArrayList<>();
        protocols.add(http1Config);
        protocols.add(http2);
        discovered.stream().filter(p -> !(p instanceof Http1Config) && !(p instanceof Http2Config))
                .map(p -> p instanceof GrpcConfig g
                        // Helidon's compression off: it would bound a compressed message only before inflating it (a
                        // zip bomb), and compressing every answer costs it half its throughput; InboundMessages
                        // inflates gzip requests within the limit, and answers go uncompressed
                        ? GrpcConfig.builder().from(g).maxReadBufferSize(maxGrpcMessage)
                                .enableCompression(false).build()
                        : p)
                .forEach(protocols::add);
        ProtocolConfigs configs = ProtocolConfigs.create(protocols);
        this.http1 = watchingUpgrades(new Http1ConnectionProvider().create(socketName, http1Config, configs));
        this.http2 = http2Selector(http2, configs, maxGrpcMessage);
        byte[] body = Problems.toJson(Problem.builder(408).detail("the request's headers did not arrive within "
                + headerDeadline.toMillis() + " ms").build(), null, null);
        this.timeoutResponse = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: application/problem+json\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n" + new String(body, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chassis-header-deadline");
            t.setDaemon(true);
            return t;
        });
        long tick = Math.max(10, Math.min(250, headerDeadline.toMillis() / 4));
        watchdog.scheduleAtFixedRate(this::closeLate, tick, tick, TimeUnit.MILLISECONDS);
    }

    /**
     * Helidon's HTTP/2 selector with its sub-protocols found as {@code Http2ConnectionProvider} finds them, except that
     * gRPC request messages pass through {@link InboundMessages} first (size limit, gzip).
     */
    private static ServerConnectionSelector http2Selector(Http2Config http2, ProtocolConfigs configs, int maxGrpcMessage) {
        Http2ConnectionSelector.Builder builder = Http2ConnectionSelector.builder().http2Config(http2);
        for (Http2SubProtocolProvider<?> provider : HelidonServiceLoader.create(
                ServiceLoader.load(Http2SubProtocolProvider.class)).asList()) {
            for (Http2SubProtocolSelector selector : subProtocols(provider, configs)) {
                builder.addSubProtocolSelector(selector instanceof GrpcProtocolSelector
                        ? new InboundMessages(selector, maxGrpcMessage) : selector);
            }
        }
        return builder.build();
    }

    private static <T extends ProtocolConfig> List<Http2SubProtocolSelector> subProtocols(Http2SubProtocolProvider<T> provider,
                                                                                         ProtocolConfigs configs) {
        List<Http2SubProtocolSelector> selectors = new ArrayList<>();
        for (T config : configs.config(provider.protocolType(), provider.protocolConfigType())) {
            selectors.add(provider.create(config, configs));
        }
        return selectors;
    }

    @Override
    public int bytesToIdentifyConnection() {
        return 0;
    }

    @Override
    public Support supports(BufferData request) {
        return Support.SUPPORTED;
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        // behind TLS, ALPN picks the selector by these names: both protocols come here, and the connection's first
        // bytes (the HTTP/2 preface or a request line) tell them apart as on a plaintext port
        Set<String> names = new LinkedHashSet<>(http2.supportedApplicationProtocols());
        names.addAll(http1.supportedApplicationProtocols());
        return names;
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        return new Identifying(ctx);
    }

    /** A connection whose protocol is not known yet; it reads the first bytes inside {@code handle}. */
    private final class Identifying implements ServerConnection {
        private final ConnectionContext ctx;
        private final long createdAt = System.nanoTime();
        private volatile ServerConnection delegate;
        private volatile Thread thread;
        private volatile boolean closed;
        private volatile boolean handshakeTimedOut;

        Identifying(ConnectionContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void handle(Limit limit) throws InterruptedException {
            if (open.incrementAndGet() > maxConnections) {
                open.decrementAndGet();
                refuse();
                return; // Helidon closes the socket: nothing of it was read
            }
            try {
                handleOpen(limit);
            } finally {
                open.decrementAndGet();
            }
        }

        private void handleOpen(Limit limit) throws InterruptedException {
            thread = Thread.currentThread();
            if (closed) {
                return;
            }
            DataReader reader = ctx.dataReader();
            boolean h2;
            boolean tls = handshakeFailures != null && ctx.isSecure();
            ScheduledFuture<?> handshake = tls ? watchdog.schedule(() -> {
                handshakeTimedOut = true;
                close(true);
            }, handshakeNanos, TimeUnit.NANOSECONDS) : null;
            try {
                reader.ensureAvailable(); // on a TLS port, the handshake happens here
                int n = Math.min(reader.available(), PRI.length);
                h2 = startsWithPri(reader.getBuffer(n), n);
                if (h2 && n < PRI.length) {
                    h2 = startsWithPri(reader.getBuffer(PRI.length), PRI.length); // a prefix of the preface: read on
                }
            } catch (RuntimeException closedOrInterrupted) {
                // the client went away, or the idle timeout closed us before the first line came; on a TLS port the
                // handshake may have failed, or not finished in time
                if (tls) {
                    String reason = handshakeTimedOut ? TlsFailures.TIMEOUT : TlsFailures.reason(closedOrInterrupted);
                    if (reason != null) {
                        handshakeFailures.failed(address(ctx), reason);
                    }
                }
                return;
            } finally {
                if (handshake != null) {
                    handshake.cancel(false);
                }
            }
            if (handshakeTimedOut) {
                return; // the deadline fired as the first bytes came: the connection is being closed
            }
            serve(h2, limit);
        }

        private void serve(boolean h2, Limit limit) throws InterruptedException {
            Tracked t = new Tracked(h2);
            ConnectionEnd end = new ConnectionEnd(ctx); // also where its calls find their peer (SecureConnections)
            // HTTP/1.1's listeners see this context: the watchdog's entry is found by it
            ConnectionContext served = h2 ? watched(ctx, t, end) : new WatchedConnectionContext(ctx, end);
            ServerConnection connection = h2 ? http2.connection(served) : http1.connection(served);
            t.connection = connection;
            tracked.put(served, t);
            delegate = connection;
            try {
                connection.handle(limit); // an HTTP/1.1 connection upgraded to HTTP/2 is served inside this call
            } finally {
                tracked.remove(served);
                end.ended(); // wakes the HTTP/2 requests still reading a body from it: no more of it will come
            }
        }

        @Override
        public Duration idleTime() {
            ServerConnection d = delegate;
            return d != null ? d.idleTime() : Duration.ofNanos(System.nanoTime() - createdAt);
        }

        @Override
        public void close(boolean interrupt) {
            closed = true;
            ServerConnection d = delegate;
            if (d != null) {
                d.close(interrupt);
            } else if (thread != null) {
                thread.interrupt(); // nothing is in progress before the first byte
            }
        }
    }

    /**
     * Helidon's HTTP/1.1 selector with its {@code h2c} upgrade wrapped: a connection upgraded to HTTP/2 is read through
     * {@link #watched}, so that the watchdog sees its header blocks as it does those of an HTTP/2 connection from the
     * start (before, a client could upgrade and then send a header block's CONTINUATION frames as slowly as it liked).
     */
    private ServerConnectionSelector watchingUpgrades(ServerConnectionSelector selector) {
        if (!(selector instanceof Http1ConnectionSelector helidons)) {
            return selector;
        }
        Http1ConnectionSelectorConfig config = helidons.prototype();
        Http1ConnectionSelectorConfig.Builder builder = Http1ConnectionSelector.builder().from(config);
        config.upgraders().forEach((protocol, upgrader) -> {
            if (protocol.equals("h2c")) {
                builder.putUpgrader(protocol, new Http1Upgrader() {
                    @Override
                    public String supportedProtocol() {
                        return upgrader.supportedProtocol();
                    }

                    @Override
                    public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue,
                                                    WritableHeaders<?> headers) {
                        Tracked t = tracked.get(ctx);
                        if (t == null || !(ctx instanceof WatchedConnectionContext w)) {
                            return upgrader.upgrade(ctx, prologue, headers);
                        }
                        t.http2 = true; // from now on the watchdog closes it as HTTP/2: no HTTP/1.1 408 written
                        return upgrader.upgrade(watched(w.delegate(), t, w.end()), prologue, headers);
                    }
                });
            }
        });
        return builder.build();
    }

    /**
     * The context of an HTTP/2 connection whose header blocks the watchdog sees open and closed, and whose streams know
     * the connection's end.
     */
    private static ConnectionContext watched(ConnectionContext ctx, Tracked t, ConnectionEnd end) {
        Http2HeaderBlocks blocks = new Http2HeaderBlocks(new Http2HeaderBlocks.Listener() {
            @Override
            public void opened() {
                t.headersStartedAt.compareAndSet(NOT_READING, System.nanoTime() | 1L);
            }

            @Override
            public void closed() {
                long started = t.headersStartedAt.get();
                if (started != TIMED_OUT) { // timed out: the connection is being closed, and stays so
                    t.headersStartedAt.compareAndSet(started, NOT_READING);
                }
            }
        });
        return new WatchedConnectionContext(ctx, blocks, () -> {
            if (t.headersStartedAt.get() == TIMED_OUT) {
                // the watchdog is closing the connection: no frame read after the deadline is handed on
                throw new CloseConnectionException("a header block did not end within the deadline");
            }
        }, end);
    }

    private void refuse() {
        refused.add(1, refusedAttributes);
        if (refusalLogged.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "the " + socketName + " listener has " + maxConnections + " connections open"
                    + " (server.max-connections): new connections are closed at once; further refusals are counted in "
                    + REFUSED_METRIC + ", not logged");
        }
    }

    /** Connections open now (for tests and metrics). */
    public int openConnections() {
        return open.get();
    }

    private static String address(ConnectionContext ctx) {
        try {
            return ctx.remotePeer().address() instanceof InetSocketAddress a && a.getAddress() != null
                    ? a.getAddress().getHostAddress() : ctx.remotePeer().host();
        } catch (RuntimeException e) {
            return "unknown";
        }
    }

    /** Whether the first {@code n} bytes (n ≥ 1, read without moving the reader) match the HTTP/2 preface. */
    private static boolean startsWithPri(BufferData start, int n) {
        for (int i = 0; i < n; i++) {
            if (start.get(i) != PRI[i]) {
                return false;
            }
        }
        return true;
    }

    private void closeLate() {
        long now = System.nanoTime();
        tracked.forEach((ctx, t) -> {
            long started = t.headersStartedAt.get();
            if (started != NOT_READING && started != TIMED_OUT && now - started > deadlineNanos
                    && t.headersStartedAt.compareAndSet(started, TIMED_OUT)) {
                if (t.http2) {
                    LOG.log(Level.DEBUG, "closing an HTTP/2 connection whose header block did not end in time");
                    t.connection.close(true);
                    return;
                }
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
        openGauge.close();
        limitGauge.close();
    }
}
