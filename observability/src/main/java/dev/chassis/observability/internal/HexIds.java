package dev.chassis.observability.internal;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

import io.opentelemetry.sdk.trace.IdGenerator;

/**
 * Random trace and span ids, as OpenTelemetry's default generator makes them ({@link ThreadLocalRandom}, never all
 * zeros), written as lowercase hex without its per-thread {@code char} buffer: a request runs on a new virtual thread,
 * so that buffer is a thread-local miss and a new array on every span. Thread-safe. Not API.
 */
final class HexIds implements IdGenerator {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @Override
    public String generateSpanId() {
        byte[] hex = new byte[16];
        write(hex, 0, nonZero());
        return new String(hex, StandardCharsets.ISO_8859_1);
    }

    @Override
    public String generateTraceId() {
        byte[] hex = new byte[32];
        write(hex, 0, ThreadLocalRandom.current().nextLong());
        write(hex, 16, nonZero()); // the whole id is then never zero
        return new String(hex, StandardCharsets.ISO_8859_1);
    }

    private static long nonZero() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        return id;
    }

    private static void write(byte[] into, int at, long value) {
        for (int i = 15; i >= 0; i--) {
            into[at + i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
    }
}
