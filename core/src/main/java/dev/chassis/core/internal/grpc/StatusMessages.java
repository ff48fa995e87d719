package dev.chassis.core.internal.grpc;

import java.nio.charset.StandardCharsets;

import io.grpc.Status;

/**
 * The {@code grpc-message} trailer as the gRPC HTTP/2 protocol writes it: the UTF-8 bytes of the description, each
 * byte outside {@code 0x20-0x7E} and {@code %} percent-encoded ({@code %0A}, {@code %C3%A9}). Helidon 4.5.0 puts the
 * description in the trailer as it is: a CR/LF, a tab or a non-ASCII character there makes grpc-java drop the
 * trailers, and the call never ends on the client. A description needing no encoding is handed on unchanged. Not API.
 */
final class StatusMessages {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private StatusMessages() {
    }

    /** {@code status} with its description percent-encoded; the same status when nothing needs encoding. */
    static Status encoded(Status status) {
        String description = status.getDescription();
        if (description == null || !needsEncoding(description)) {
            return status;
        }
        return status.withDescription(encode(description));
    }

    static String encode(String description) {
        byte[] utf8 = description.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(utf8.length + 16);
        for (byte b : utf8) {
            int c = b & 0xFF;
            if (c < 0x20 || c > 0x7E || c == '%') {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }

    private static boolean needsEncoding(String description) {
        for (int i = 0; i < description.length(); i++) {
            char c = description.charAt(i);
            if (c < 0x20 || c > 0x7E || c == '%') {
                return true;
            }
        }
        return false;
    }
}
