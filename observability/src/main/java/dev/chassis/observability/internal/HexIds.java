package dev.chassis.observability.internal;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.sdk.trace.IdGenerator;

/**
 * Random trace and span ids, as OpenTelemetry's default generator makes them ({@link ThreadLocalRandom}, never all
 * zeros), written as lowercase hex without its per-thread {@code char} buffer: a request runs on a new virtual thread,
 * so that buffer is a thread-local miss and a new array on every span. Thread-safe. Not API.
 */
final class HexIds implements IdGenerator {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** The ids the next span started on this thread takes ({@link #startWith}): trace id, span id. */
    private static final ThreadLocal<String[]> GIVEN = new ThreadLocal<>();
    /** How many threads are in {@link #startWith} now: while none, no span looks up {@link #GIVEN}. */
    private static final AtomicInteger GIVING = new AtomicInteger();

    /**
     * Starts the builder's span with the given ids instead of new ones — a span the service carried by its ids alone
     * and records after all. The builder must be of an SDK whose generator is a {@code HexIds}; its parent, if any,
     * must be of the same trace.
     */
    static Span startWith(SpanBuilder builder, String traceId, String spanId) {
        GIVING.incrementAndGet();
        GIVEN.set(new String[] {traceId, spanId});
        try {
            return builder.startSpan();
        } finally {
            GIVEN.remove();
            GIVING.decrementAndGet();
        }
    }

    @Override
    public String generateSpanId() {
        String[] given = GIVING.get() == 0 ? null : GIVEN.get();
        if (given != null && given[1] != null) {
            String id = given[1];
            given[1] = null; // once: a span the builder's span starts later gets its own
            return id;
        }
        return spanId();
    }

    @Override
    public String generateTraceId() {
        String[] given = GIVING.get() == 0 ? null : GIVEN.get();
        if (given != null && given[0] != null) {
            String id = given[0];
            given[0] = null;
            return id;
        }
        return traceId();
    }

    /** A new random span id. */
    static String spanId() {
        byte[] hex = new byte[16];
        write(hex, 0, nonZero());
        return new String(hex, StandardCharsets.ISO_8859_1);
    }

    /** A new random trace id. */
    static String traceId() {
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
