package dev.chassis.core.internal.grpc;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

import io.grpc.Status;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpPrologue;
import io.helidon.http.http2.Http2FrameHeader;
import io.helidon.http.http2.Http2FrameTypes;
import io.helidon.http.http2.Http2Headers;
import io.helidon.http.http2.Http2RstStream;
import io.helidon.http.http2.Http2Settings;
import io.helidon.http.http2.Http2StreamState;
import io.helidon.http.http2.Http2StreamWriter;
import io.helidon.http.http2.Http2WindowUpdate;
import io.helidon.http.http2.StreamFlowControl;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.Router;
import io.helidon.webserver.http2.spi.Http2SubProtocolSelector;
import io.helidon.webserver.http2.spi.SubProtocolResult;

/**
 * The request messages of every gRPC call, read before Helidon's gRPC handler sees them (Helidon 4.5.0 runs with
 * its compression off): a message declaring more than {@code grpc.max-message-size} is refused with
 * RESOURCE_EXHAUSTED before any of it is buffered; a gzip-compressed message (a call with {@code grpc-encoding: gzip})
 * is inflated here, at most {@code grpc.max-message-size} bytes of it (a compressed bomb costs no more than that),
 * and handed to Helidon uncompressed; a compressed message on a call without an encoding gets INTERNAL, as the gRPC
 * HTTP/2 protocol says. Refusals end the call through {@link ServerCallGuard} (which {@link #attach}es to the call
 * its stream starts) and are logged as one counted line a minute at most, not as a stack trace per message.
 * A call with an encoding other than {@code identity} or {@code gzip} is answered UNIMPLEMENTED by the guard.
 * Not API.
 */
public final class InboundMessages implements Http2SubProtocolSelector {
    static final HeaderName GRPC_ENCODING = HeaderNames.create("grpc-encoding");
    /** The encodings requests may use, as {@code grpc-accept-encoding} lists them. */
    static final String ACCEPTED = "gzip";
    private static final ThreadLocal<Slot> STARTING = new ThreadLocal<>();
    private static final int PREFIX = 5;

    private final Http2SubProtocolSelector helidon;
    private final long maxMessage;
    private final Refusals refusals;

    /**
     * @param helidon    Helidon's gRPC selector
     * @param maxMessage the largest request message, compressed or inflated ({@code grpc.max-message-size})
     */
    public InboundMessages(Http2SubProtocolSelector helidon, long maxMessage) {
        this.helidon = helidon;
        this.maxMessage = maxMessage;
        this.refusals = new Refusals(maxMessage);
    }

    /**
     * Called by the guard while a call starts, on the thread that starts it: {@code closer} hears the status that
     * ends the call when one of its messages is refused (at once if one already was). It is called before the
     * stream's remaining data reaches Helidon, possibly on the connection's reader thread: it must not block.
     */
    static void attach(Consumer<Status> closer) {
        Slot slot = STARTING.get();
        if (slot != null) {
            slot.attach(closer);
        }
    }

    /**
     * The slot of the call starting on this thread, or {@code null} (a call not started by a stream of this selector).
     * Its {@link Slot#holdUnlessSent} lets a call that ends before the client has sent its whole request hold the
     * trailers until the request's END_STREAM: Helidon 4.5.0 cannot take the frames a client still sends on a stream
     * it has answered (grpc-java resets the stream when the trailers beat its request, and its request DATA can
     * still follow the RST_STREAM; Helidon has by then forgotten the stream and fails the whole connection with a
     * GOAWAY PROTOCOL_ERROR).
     */
    static Slot starting() {
        return STARTING.get();
    }

    /** Whether a call may use this {@code grpc-encoding} (absent: yes). */
    static boolean supported(String encoding) {
        return encoding == null || encoding.equals("identity") || encoding.equals("gzip");
    }

    @Override
    public SubProtocolResult subProtocol(ConnectionContext ctx, HttpPrologue prologue, Http2Headers headers,
                                         Http2StreamWriter streamWriter, int streamId, Http2Settings serverSettings,
                                         Http2Settings clientSettings, StreamFlowControl flowControl,
                                         Http2StreamState currentStreamState, Router router) {
        SubProtocolResult result = helidon.subProtocol(ctx, prologue, headers, streamWriter, streamId, serverSettings,
                clientSettings, flowControl, currentStreamState, router);
        if (!result.supported()) {
            return result;
        }
        String encoding = headers.httpHeaders().contains(GRPC_ENCODING)
                ? headers.httpHeaders().get(GRPC_ENCODING).get() : null;
        boolean remoteEnded = currentStreamState == Http2StreamState.HALF_CLOSED_REMOTE
                || currentStreamState == Http2StreamState.CLOSED; // the request's END_STREAM is already in
        return new SubProtocolResult(true, new Stream(result.subProtocol(), encoding, headers.path(), remoteEnded));
    }

    /**
     * The call's side of its stream: where a refusal goes (the call's guard, once it has started the call), and
     * whether the client has ended its side, for {@link #closeWhenSent}.
     */
    static final class Slot {
        private Consumer<Status> closer;
        private Status pending;
        private boolean remoteEnded;
        private Runnable heldClose;

        Slot(boolean remoteEnded) {
            this.remoteEnded = remoteEnded;
        }

        synchronized void attach(Consumer<Status> c) {
            closer = c;
            if (pending != null) {
                c.accept(pending);
            }
        }

        synchronized void refuse(Status status) {
            if (closer != null) {
                closer.accept(status);
            } else if (pending == null) {
                pending = status;
            }
        }

        /** Runs {@code close} now if the client has sent all of its request, else holds it: see closeWhenSent. */
        boolean holdUnlessSent(Runnable close) {
            synchronized (this) {
                if (!remoteEnded) {
                    heldClose = close;
                    return true;
                }
            }
            close.run();
            return false;
        }

        /** Runs the held close, if it is still held. */
        void release() {
            Runnable close;
            synchronized (this) {
                close = heldClose;
                heldClose = null;
            }
            if (close != null) {
                close.run();
            }
        }

        /** The request's END_STREAM is being read: closes from now on go out at once. */
        synchronized void ending() {
            remoteEnded = true;
        }

        /** The client ended its side: END_STREAM ({@code reset} false: the held close goes out) or RST_STREAM. */
        void remoteEnded(boolean reset) {
            synchronized (this) {
                remoteEnded = true;
                if (reset) {
                    heldClose = null;
                }
            }
            release();
        }

        synchronized boolean isRemoteEnded() {
            return remoteEnded;
        }
    }

    /** One call's stream: reads each message's 5-byte prefix, passes plain messages on, inflates gzip ones. */
    private final class Stream implements SubProtocolHandler {
        private final SubProtocolHandler delegate;
        private final boolean gzip;
        private final boolean passThrough; // an unsupported encoding: the guard refuses the call
        private final String method;
        private final Slot slot;
        private final byte[] prefix = new byte[PREFIX];
        private int prefixFill;
        private boolean inBody;
        private boolean compressed;
        private long bodyLeft;
        private ByteArrayOutputStream body; // the compressed message being collected
        private boolean refused;
        private volatile boolean finished; // Helidon's handler has closed the call while the client was still sending

        Stream(SubProtocolHandler delegate, String encoding, String method, boolean remoteEnded) {
            this.delegate = delegate;
            this.slot = new Slot(remoteEnded);
            this.gzip = "gzip".equals(encoding);
            this.passThrough = !supported(encoding);
            this.method = method;
        }

        @Override
        public void init() {
            Slot previous = STARTING.get();
            STARTING.set(slot);
            try {
                delegate.init();
            } finally {
                if (previous == null) {
                    STARTING.remove();
                } else {
                    STARTING.set(previous);
                }
            }
        }

        /**
         * Helidon's handler reports CLOSED as soon as it has sent the trailers, even when the client has not ended its
         * side: a call refused as it starts (an interceptor's UNAUTHENTICATED, a too-large message) then meets the
         * request's DATA frames still on the wire, and Helidon 4.5.0 answers those with a GOAWAY (PROTOCOL_ERROR) that
         * fails every call on the connection. HTTP/2 calls that stream half-closed (local): it may still receive DATA.
         * So until the client ends or resets the stream it is reported half-closed, and its frames are dropped here.
         * A client that never ends it holds one of the connection's streams until the connection closes, as any open
         * call does; grpc-java and grpc-go clients end or reset their side when they read the trailers.
         */
        @Override
        public Http2StreamState streamState() {
            Http2StreamState state = delegate.streamState();
            if (state == Http2StreamState.CLOSED && !slot.isRemoteEnded()) {
                finished = true;
                return Http2StreamState.HALF_CLOSED_LOCAL;
            }
            return state;
        }

        @Override
        public void rstStream(Http2RstStream rstStream) {
            slot.remoteEnded(true);
            delegate.rstStream(rstStream);
        }

        @Override
        public void windowUpdate(Http2WindowUpdate update) {
            delegate.windowUpdate(update);
        }

        @Override
        public void data(Http2FrameHeader header, BufferData data) {
            boolean end = header.flags(Http2FrameTypes.DATA).endOfStream();
            if (end) {
                slot.ending(); // a call closed while Helidon reads this frame (the handler answering) closes at once
            }
            try {
                read(header, data);
            } finally {
                if (end) {
                    slot.remoteEnded(false); // a close held for the request's end goes out now
                }
            }
        }

        private void read(Http2FrameHeader header, BufferData data) {
            if (finished) { // the call is over: the rest of the request is dropped
                data.skip(data.available());
                return;
            }
            if (passThrough) {
                delegate.data(header, data);
                return;
            }
            if (refused) {
                data.skip(data.available());
                delegate.data(header, BufferData.empty()); // the end of the stream still counts
                return;
            }
            int available = data.available();
            if (inBody && !compressed && bodyLeft >= available) { // the middle of a plain message: as it is
                bodyLeft -= available;
                inBody = bodyLeft > 0;
                delegate.data(header, data);
                return;
            }
            byte[] in = data.readBytes();
            ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + PREFIX);
            int i = 0;
            while (i < in.length && !refused) {
                if (!inBody) {
                    int n = Math.min(PREFIX - prefixFill, in.length - i);
                    System.arraycopy(in, i, prefix, prefixFill, n);
                    prefixFill += n;
                    i += n;
                    if (prefixFill < PREFIX) {
                        break; // the rest of the prefix comes in the next frame
                    }
                    prefixFill = 0;
                    startMessage(out);
                } else {
                    int n = (int) Math.min(bodyLeft, in.length - i);
                    (compressed ? body : out).write(in, i, n);
                    i += n;
                    bodyLeft -= n;
                }
                if (inBody && bodyLeft == 0 && !refused) {
                    inBody = false;
                    if (compressed) {
                        inflate(out);
                    }
                }
            }
            delegate.data(header, refused ? BufferData.empty() : BufferData.create(out.toByteArray()));
        }

        private void startMessage(ByteArrayOutputStream out) {
            compressed = prefix[0] != 0;
            bodyLeft = ((prefix[1] & 0xFFL) << 24) | ((prefix[2] & 0xFF) << 16) | ((prefix[3] & 0xFF) << 8)
                    | (prefix[4] & 0xFF);
            inBody = true;
            if (bodyLeft > maxMessage) {
                refuse(Status.RESOURCE_EXHAUSTED.withDescription("the request message (" + bodyLeft
                        + " bytes) is larger than grpc.max-message-size (" + maxMessage + " bytes)"), bodyLeft);
            } else if (compressed && !gzip) {
                refuse(Status.INTERNAL.withDescription("a compressed request message on a call without grpc-encoding"), -1);
            } else if (compressed) {
                body = new ByteArrayOutputStream((int) Math.min(bodyLeft, 64 * 1024));
            } else {
                out.write(prefix, 0, PREFIX);
            }
        }

        /** The collected gzip message, inflated up to the limit, as a plain message. */
        private void inflate(ByteArrayOutputStream out) {
            ByteArrayOutputStream inflated = new ByteArrayOutputStream();
            try (InputStream gunzip = new GZIPInputStream(new ByteArrayInputStream(body.toByteArray()))) {
                byte[] chunk = new byte[8192];
                int n;
                while ((n = gunzip.read(chunk)) > 0) {
                    if (inflated.size() + n > maxMessage) {
                        refuse(Status.RESOURCE_EXHAUSTED.withDescription("the request message inflates to more than"
                                + " grpc.max-message-size (" + maxMessage + " bytes)"), inflated.size() + (long) n);
                        return;
                    }
                    inflated.write(chunk, 0, n);
                }
            } catch (IOException e) {
                refuse(Status.INTERNAL.withDescription("the gzip request message could not be inflated"), -1);
                return;
            } finally {
                body = null;
            }
            int size = inflated.size();
            out.write(0);
            out.write(size >>> 24);
            out.write(size >>> 16);
            out.write(size >>> 8);
            out.write(size);
            out.writeBytes(inflated.toByteArray());
        }

        private void refuse(Status status, long size) {
            refused = true;
            if (size >= 0) {
                refusals.note(method, size);
            }
            slot.refuse(status);
        }
    }
}
