package dev.chassis.tests.http;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

/**
 * A tiny HTTP/2 client over a plain socket (prior knowledge, h2c), to send frames a well-behaved client would not:
 * more streams than allowed, headers that never end, bodies that dribble. Header blocks are HPACK literals without
 * indexing or Huffman coding; pseudo-headers name the static table (Helidon requires it).
 */
final class H2Frames implements AutoCloseable {
    static final int DATA = 0;
    static final int HEADERS = 1;
    static final int RST_STREAM = 3;
    static final int SETTINGS = 4;
    static final int GOAWAY = 7;
    static final int CONTINUATION = 9;
    static final int END_STREAM = 0x1;
    static final int END_HEADERS = 0x4;
    static final int ACK = 0x1;
    static final int REFUSED_STREAM = 0x7;
    static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;

    /** One frame as read. */
    record Frame(int type, int flags, int stream, byte[] payload) {
        /** The error code of a RST_STREAM or GOAWAY frame. */
        int errorCode() {
            int at = type == GOAWAY ? 4 : 0;
            return ((payload[at] & 0xff) << 24) | ((payload[at + 1] & 0xff) << 16) | ((payload[at + 2] & 0xff) << 8)
                    | (payload[at + 3] & 0xff);
        }

        /** The value of a setting in a SETTINGS frame, or -1. */
        long setting(int id) {
            for (int i = 0; i + 6 <= payload.length; i += 6) {
                int key = ((payload[i] & 0xff) << 8) | (payload[i + 1] & 0xff);
                if (key == id) {
                    return ((long) (payload[i + 2] & 0xff) << 24) | ((payload[i + 3] & 0xff) << 16)
                            | ((payload[i + 4] & 0xff) << 8) | (payload[i + 5] & 0xff);
                }
            }
            return -1;
        }

        /** The payload as ISO-8859-1 text (a DATA frame's body). */
        String text() {
            return new String(payload, StandardCharsets.ISO_8859_1);
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private volatile boolean closedByServer;

    /** Connects, sends the preface and an empty SETTINGS frame. */
    H2Frames(int port, int readTimeoutMillis) throws IOException {
        this(new Socket("127.0.0.1", port), readTimeoutMillis);
    }

    /** Over a connected socket (a TLS socket that negotiates {@code h2} among them): the preface and SETTINGS. */
    H2Frames(Socket socket, int readTimeoutMillis) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(readTimeoutMillis);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
        out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        frame(SETTINGS, 0, 0, new byte[0]);
    }

    /**
     * Upgrades an HTTP/1.1 connection ({@code Upgrade: h2c}, a GET of {@code path}, which becomes stream 1), reads the
     * 101 answer, then sends the preface and an empty SETTINGS frame.
     */
    static H2Frames upgraded(int port, int readTimeoutMillis, String path) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(readTimeoutMillis);
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABk\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII)); // HTTP2-Settings: SETTINGS_MAX_CONCURRENT_STREAMS = 100
        StringBuilder head = new StringBuilder();
        var in = socket.getInputStream();
        while (!head.toString().endsWith("\r\n\r\n")) { // byte by byte: what follows is HTTP/2, read by frames
            int b = in.read();
            if (b < 0) {
                throw new IOException("the server closed the connection instead of upgrading it: " + head);
            }
            head.append((char) b);
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            throw new IOException("not upgraded: " + head);
        }
        return new H2Frames(socket, readTimeoutMillis);
    }

    /** A header block for a request: the pseudo-headers, then {@code extra} name/value pairs. */
    static byte[] headerBlock(String method, String path, String... extra) {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(switch (method) { // indexed field: :method GET (2) or POST (3)
            case "GET" -> 0x82;
            case "POST" -> 0x83;
            default -> throw new IllegalArgumentException("GET or POST");
        });
        block.write(0x86); // indexed field: :scheme http (6)
        block.write(0x04); // literal without indexing, name :path (4)
        string(block, path);
        block.write(0x01); // literal without indexing, name :authority (1)
        string(block, "localhost");
        for (int i = 0; i < extra.length; i += 2) {
            literal(block, extra[i], extra[i + 1]);
        }
        return block.toByteArray();
    }

    private static void literal(ByteArrayOutputStream block, String name, String value) {
        block.write(0); // literal header field without indexing, new name
        string(block, name);
        string(block, value);
    }

    private static void string(ByteArrayOutputStream block, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        if (bytes.length >= 127) {
            throw new IllegalArgumentException("keep header strings under 127 bytes");
        }
        block.write(bytes.length);
        block.writeBytes(bytes);
    }

    /** Writes one frame. */
    synchronized H2Frames frame(int type, int flags, int stream, byte[] payload) throws IOException {
        byte[] header = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8),
                (byte) stream};
        out.write(header);
        out.write(payload);
        out.flush();
        return this;
    }

    /** A GET on a new stream, headers complete and no body. */
    H2Frames get(int stream, String path) throws IOException {
        return frame(HEADERS, END_HEADERS | END_STREAM, stream, headerBlock("GET", path));
    }

    /** The next frame, or null when the server closed the connection or nothing came within the read timeout. */
    Frame read() throws IOException {
        try {
            int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt() & 0x7fffffff;
            byte[] payload = new byte[length];
            in.readFully(payload);
            if (type == SETTINGS && (flags & ACK) == 0) {
                frame(SETTINGS, ACK, 0, new byte[0]);
            }
            return new Frame(type, flags, stream, payload);
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException closedOrReset) { // EOFException among them
            closedByServer = true;
            return null;
        }
    }

    /** Reads frames until one matches, or null when the connection ends (or stays silent) first. */
    Frame readUntil(Predicate<Frame> wanted) throws IOException {
        Frame f;
        while ((f = read()) != null) {
            if (wanted.test(f)) {
                return f;
            }
        }
        return null;
    }

    /** Whether a read found the connection closed (or reset) by the server, rather than silent. */
    boolean closedByServer() {
        return closedByServer;
    }

    /** Ends this side of the connection (the server reads its end) and keeps reading what the server sends. */
    void halfClose() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
