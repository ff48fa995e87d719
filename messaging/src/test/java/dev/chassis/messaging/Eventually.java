package dev.chassis.messaging;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits for a condition that other threads make true: bounded polling, no fixed sleeps. */
public final class Eventually {
    private Eventually() {
    }

    public static void until(String what, BooleanSupplier condition) {
        until(() -> what, condition);
    }

    /** The same, describing the state when it times out. */
    public static void until(java.util.function.Supplier<String> what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what.get());
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
