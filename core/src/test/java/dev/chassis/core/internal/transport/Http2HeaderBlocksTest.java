package dev.chassis.core.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class Http2HeaderBlocksTest {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int DATA = 0;
    private static final int HEADERS = 1;
    private static final int SETTINGS = 4;
    private static final int CONTINUATION = 9;
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;

    private final List<String> events = new ArrayList<>();
    private final Http2HeaderBlocks blocks = new Http2HeaderBlocks(new Http2HeaderBlocks.Listener() {
        @Override
        public void opened() {
            events.add("opened");
        }

        @Override
        public void closed() {
            events.add("closed");
        }
    });

    private static byte[] frame(int type, int flags, int stream, int length) {
        byte[] f = new byte[9 + length];
        f[0] = (byte) (length >>> 16);
        f[1] = (byte) (length >>> 8);
        f[2] = (byte) length;
        f[3] = (byte) type;
        f[4] = (byte) flags;
        f[8] = (byte) stream;
        for (int i = 9; i < f.length; i++) {
            f[i] = (byte) (type == HEADERS ? 0x01 : 0x09); // payload bytes that look like frame types
        }
        return f;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private void scanInPieces(byte[] bytes, int piece) {
        for (int at = 0; at < bytes.length; at += piece) {
            blocks.scan(bytes, at, Math.min(piece, bytes.length - at));
        }
    }

    @Test
    void aHeaderBlockWithEndHeadersOpensAndClosesOnceItsPayloadIsRead() {
        byte[] start = concat(PREFACE, frame(SETTINGS, 0, 0, 0), frame(HEADERS, END_HEADERS | END_STREAM, 1, 20));
        blocks.scan(start, 0, start.length - 1);
        assertThat(events).containsExactly("opened");
        assertThat(blocks.open()).as("the last byte of the HEADERS payload has not come").isTrue();
        blocks.scan(start, start.length - 1, 1);
        assertThat(events).containsExactly("opened", "closed");
        assertThat(blocks.open()).isFalse();
    }

    @Test
    void headersWithoutEndHeadersStayOpenThroughContinuationsUntilOneEndsThem() {
        byte[] bytes = concat(PREFACE, frame(HEADERS, 0, 1, 30), frame(CONTINUATION, 0, 1, 5),
                frame(CONTINUATION, 0, 1, 5));
        blocks.scan(bytes, 0, bytes.length);
        assertThat(events).containsExactly("opened");
        byte[] last = frame(CONTINUATION, END_HEADERS, 1, 7);
        blocks.scan(last, 0, last.length);
        assertThat(events).containsExactly("opened", "closed");
    }

    @Test
    void framesSplitAcrossReadsOfAnySizeAreFollowed() {
        byte[] conversation = concat(PREFACE, frame(SETTINGS, 0, 0, 6), frame(HEADERS, 0, 1, 17),
                frame(CONTINUATION, END_HEADERS, 1, 0), frame(DATA, END_STREAM, 1, 300),
                frame(HEADERS, END_HEADERS, 3, 40), frame(HEADERS, 0, 5, 3));
        for (int piece = 1; piece <= 13; piece++) {
            events.clear();
            Http2HeaderBlocks fresh = new Http2HeaderBlocks(new Http2HeaderBlocks.Listener() {
                @Override
                public void opened() {
                    events.add("opened");
                }

                @Override
                public void closed() {
                    events.add("closed");
                }
            });
            for (int at = 0; at < conversation.length; at += piece) {
                fresh.scan(conversation, at, Math.min(piece, conversation.length - at));
            }
            assertThat(events).as("read %d bytes at a time", piece)
                    .containsExactly("opened", "closed", "opened", "closed", "opened");
            assertThat(fresh.open()).isTrue();
        }
    }

    @Test
    void otherFramesNeverOpenABlock() {
        byte[] bytes = concat(PREFACE, frame(SETTINGS, 0, 0, 12), frame(DATA, END_HEADERS, 1, 100),
                frame(CONTINUATION, END_HEADERS, 1, 4));
        scanInPieces(bytes, 7);
        assertThat(events).isEmpty();
        assertThat(blocks.open()).isFalse();
    }

    @Test
    void aPartialFrameHeaderOfHeadersOpensTheBlockAsSoonAsItsTypeIsKnown() {
        byte[] bytes = concat(PREFACE, frame(HEADERS, END_HEADERS, 1, 10));
        blocks.scan(bytes, 0, PREFACE.length + 3);
        assertThat(events).isEmpty();
        blocks.scan(bytes, PREFACE.length + 3, 1);
        assertThat(events).containsExactly("opened");
    }
}
