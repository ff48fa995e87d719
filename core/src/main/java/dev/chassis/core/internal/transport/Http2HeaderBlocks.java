package dev.chassis.core.internal.transport;

/**
 * Follows the frames of an HTTP/2 connection as its bytes are read, to tell when a header block is open: from the
 * frame header of a HEADERS frame until the end of the payload of the frame (HEADERS or CONTINUATION) that carries
 * END_HEADERS. Bytes may come in pieces of any size (a frame header split across reads among them). The connection
 * starts with the client's 24-byte preface, with prior knowledge (h2c) and behind TLS (ALPN {@code h2}) alike.
 * Not thread-safe: it runs on the connection's reading thread. Not API.
 */
final class Http2HeaderBlocks {
    /** What is told as blocks open and close. */
    interface Listener {
        /** A header block started (the type byte of its HEADERS frame was read). */
        void opened();

        /** The header block's last byte was read. */
        void closed();
    }

    static final int PREFACE_LENGTH = 24;
    private static final int FRAME_HEADER = 9;
    private static final int TYPE_AT = 3;
    private static final int HEADERS = 0x1;
    private static final int CONTINUATION = 0x9;
    private static final int END_HEADERS = 0x4;

    private final Listener listener;
    private final byte[] header = new byte[FRAME_HEADER];
    private int headerRead;
    /** Bytes of the preface or of a frame's payload still to pass. */
    private long toSkip = PREFACE_LENGTH;
    private boolean open;
    /** Whether the payload being passed ends the open block. */
    private boolean endsBlock;

    Http2HeaderBlocks(Listener listener) {
        this.listener = listener;
    }

    /** Passes {@code length} bytes from {@code offset}, telling the listener of blocks opened and closed. */
    void scan(byte[] bytes, int offset, int length) {
        int at = offset;
        int end = offset + length;
        while (at < end) {
            if (toSkip > 0) {
                int n = (int) Math.min(toSkip, end - at);
                toSkip -= n;
                at += n;
                if (toSkip == 0) {
                    payloadDone();
                }
                continue;
            }
            header[headerRead++] = bytes[at++];
            if (headerRead == TYPE_AT + 1 && (header[TYPE_AT] & 0xff) == HEADERS && !open) {
                open = true;
                listener.opened();
            }
            if (headerRead == FRAME_HEADER) {
                headerRead = 0;
                int type = header[TYPE_AT] & 0xff;
                endsBlock = (type == HEADERS || type == CONTINUATION) && (header[TYPE_AT + 1] & END_HEADERS) != 0;
                toSkip = ((header[0] & 0xffL) << 16) | ((header[1] & 0xff) << 8) | (header[2] & 0xff);
                if (toSkip == 0) {
                    payloadDone();
                }
            }
        }
    }

    /** Whether a header block is open now. */
    boolean open() {
        return open;
    }

    private void payloadDone() {
        if (endsBlock) {
            endsBlock = false;
            if (open) {
                open = false;
                listener.closed();
            }
        }
    }
}
