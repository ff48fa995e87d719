package dev.chassis.core.internal.transport;

import java.util.Optional;
import java.util.concurrent.ExecutorService;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;

/**
 * A connection's context whose streams run knowing their connection ({@link ConnectionEnd}) — HTTP/2 streams, and
 * those of an HTTP/1.1 connection upgraded to HTTP/2 ({@code Upgrade: h2c}); on an HTTP/2 connection its reader also
 * passes the connection's bytes on unchanged while {@link Http2HeaderBlocks} follows their frames. Everything else is
 * the connection's own. Each chunk is checked after it is scanned, so a connection the watchdog has given up on reads
 * no further. Not API.
 */
final class WatchedConnectionContext implements ConnectionContext {
    private final ConnectionContext ctx;
    private final DataReader reader;
    private final ConnectionEnd end;
    /** The executor that tells streams their connection; made when a stream first asks (never, on plain HTTP/1.1). */
    private volatile ExecutorService streams;

    /**
     * An HTTP/2 connection's context.
     *
     * @param ctx      the connection's context (its reader may hold bytes already read, the preface among them)
     * @param blocks   follows the frames
     * @param afterRead run after each chunk is scanned, before it is handed on; may throw to end the connection
     * @param end       the connection's end, which its streams' threads are told
     */
    WatchedConnectionContext(ConnectionContext ctx, Http2HeaderBlocks blocks, Runnable afterRead, ConnectionEnd end) {
        this.ctx = ctx;
        this.end = end;
        DataReader source = ctx.dataReader();
        this.reader = DataReader.create(() -> {
            source.ensureAvailable(); // blocks for the next bytes; at the end of the stream, Helidon's own exception
            byte[] bytes = source.readBytes(source.available());
            blocks.scan(bytes, 0, bytes.length);
            afterRead.run();
            return bytes;
        });
    }

    /**
     * An HTTP/1.1 connection's context: its own reader; only the streams of an upgrade to HTTP/2 run on the executor
     * (Helidon's HTTP/1.1 serves requests on the connection's thread).
     *
     * @param ctx the connection's context
     * @param end the connection's end
     */
    WatchedConnectionContext(ConnectionContext ctx, ConnectionEnd end) {
        this.ctx = ctx;
        this.end = end;
        this.reader = ctx.dataReader();
    }

    /** The connection's own context, which this one wraps. */
    ConnectionContext delegate() {
        return ctx;
    }

    /** The connection's end, which its streams' threads are told. */
    ConnectionEnd end() {
        return end;
    }

    @Override
    public DataReader dataReader() {
        return reader;
    }

    @Override
    public ListenerContext listenerContext() {
        return ctx.listenerContext();
    }

    @Override
    public ExecutorService executor() {
        ExecutorService s = streams;
        if (s == null) { // two racing streams may each make one: they behave the same
            s = end.executor(ctx.executor());
            streams = s;
        }
        return s;
    }

    @Override
    public DataWriter dataWriter() {
        return ctx.dataWriter();
    }

    @Override
    public Router router() {
        return ctx.router();
    }

    @Override
    public Optional<ProxyProtocolData> proxyProtocolData() {
        return ctx.proxyProtocolData();
    }

    @Override
    public HelidonSocket serverSocket() {
        return ctx.serverSocket();
    }

    @Override
    public PeerInfo remotePeer() {
        return ctx.remotePeer();
    }

    @Override
    public PeerInfo localPeer() {
        return ctx.localPeer();
    }

    @Override
    public boolean isSecure() {
        return ctx.isSecure();
    }

    @Override
    public String socketId() {
        return ctx.socketId();
    }

    @Override
    public String childSocketId() {
        return ctx.childSocketId();
    }
}
