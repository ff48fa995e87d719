package dev.chassis.core.internal.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What the scheduler-backlog tests share: a task that only computes (about a millisecond of SHA-256), and a wait for a
 * condition with a deadline. Core's tests cannot use the test kit's {@code Eventually}: the kit depends on core.
 */
final class Backlogs {
    private Backlogs() {
    }

    /** Waits until {@code condition} holds, checking every 5 ms; fails after 60 s naming {@code what}. */
    static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
            Thread.sleep(5); // the poll's pace; the deadline above bounds the wait
        }
    }

    /** CPU work that never blocks: what makes virtual threads queue for a carrier. */
    static byte[] compute() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] block = new byte[4096];
        for (int i = 0; i < 300; i++) {
            sha.update(block);
        }
        return sha.digest();
    }
}
