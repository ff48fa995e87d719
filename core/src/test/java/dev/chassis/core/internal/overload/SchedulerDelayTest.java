package dev.chassis.core.internal.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

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
        Backlogs.waitFor("an idle scheduler", () -> !delay.saturated(MAX));
        int tasks = Runtime.getRuntime().availableProcessors() * 600; // about 2 ms of CPU each: seconds of backlog
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < tasks; i++) {
                pool.submit(Backlogs::compute);
            }
            Backlogs.waitFor("the probe to see the backlog", () -> delay.saturated(MAX));
            pool.shutdown();
            assertThat(pool.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
        }
        Backlogs.waitFor("the probe to see the backlog drained", () -> !delay.saturated(MAX));
    }
}
