package dev.chassis.core.internal.grpc;

import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request messages refused as too large, logged as one counted WARNING line a minute at most (a client sending
 * them in a loop must not fill the log with a stack trace per message). Thread-safe. Not API.
 */
final class Refusals {
    private static final System.Logger LOG = System.getLogger(InboundMessages.class.getName());
    private static final long INTERVAL = TimeUnit.MINUTES.toNanos(1);

    private final long maxMessage;
    private final AtomicLong sinceLine = new AtomicLong();
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong nextLine = new AtomicLong(System.nanoTime());

    Refusals(long maxMessage) {
        this.maxMessage = maxMessage;
    }

    /** Counts one refused message; logs the count when the last line is a minute old. */
    void note(String method, long size) {
        sinceLine.incrementAndGet();
        long all = total.incrementAndGet();
        long now = System.nanoTime();
        long next = nextLine.get();
        if (now - next >= 0 && nextLine.compareAndSet(next, now + INTERVAL)) {
            LOG.log(Level.WARNING, "refused " + sinceLine.getAndSet(0) + " gRPC request message(s) over"
                    + " grpc.max-message-size (" + maxMessage + " bytes) since the last such line, " + all
                    + " in all; the last: " + method + ", " + size + " bytes");
        }
    }
}
