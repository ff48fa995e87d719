package dev.chassis.testing;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition that other threads or processes make true: polling every 5 ms, for at most 30 s, then an
 * {@link AssertionError} saying what did not happen. For tests of asynchronous work (messages, relays, watches),
 * instead of a fixed sleep that is too short on a loaded machine and too long everywhere else.
 */
public final class Eventually {
    private static final long TIMEOUT_SECONDS = 30;

    private Eventually() {
    }

    public static void until(String what, BooleanSupplier condition) {
        until(() -> what, condition);
    }

    /** The same, describing the state when it times out. */
    public static void until(Supplier<String> what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + TIMEOUT_SECONDS + " s waiting until " + what.get());
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
