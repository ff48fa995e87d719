package dev.chassis.core.internal.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

/**
 * The scheduler-delay probe sees a queue of CPU-bound virtual threads that no count of requests in flight sees, and
 * clears once it drains. Real virtual threads and real CPU work; the waits are bounded polls, not timing assertions.
 */
class SchedulerDelayTest {
    private static final long MAX = Duration.ofMillis(20).toNanos();

    @Test
    void aBacklogOfComputingVirtualThreadsSaturatesTheSchedulerUntilItDrains() throws Exception {
        SchedulerDelay delay = SchedulerDelay.get();
        waitFor("an idle scheduler", () -> !delay.saturated(MAX));
        int tasks = Runtime.getRuntime().availableProcessors() * 600; // about 2 ms of CPU each: seconds of backlog
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < tasks; i++) {
                pool.submit(SchedulerDelayTest::compute);
            }
            waitFor("the probe to see the backlog", () -> delay.saturated(MAX));
            pool.shutdown();
            assertThat(pool.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
        }
        waitFor("the probe to see the backlog drained", () -> !delay.saturated(MAX));
    }

    private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static byte[] compute() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] block = new byte[4096];
        for (int i = 0; i < 300; i++) {
            sha.update(block);
        }
        return sha.digest();
    }
}
