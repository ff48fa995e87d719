package dev.chassis.core.internal.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import com.sun.management.OperatingSystemMXBean;

/**
 * The carriers' CPU clock on the JVM the suite runs on (JDK 21 to 25 name their carriers alike): it finds the
 * carriers, it counts what a virtual thread computes, and it never counts more than the whole process used.
 */
class CarrierCpuTest {
    private static final long MS = 1_000_000L;
    /** Where the spinning thread leaves its result, so that its loop is not optimised away. */
    private static volatile long sink;

    @Test
    void aVirtualThreadsComputingIsCountedAndNoMoreThanTheProcessUsed() throws InterruptedException {
        CarrierCpu carriers = CarrierCpu.get();
        assertThat(carriers).as("this JDK's carriers (" + CarrierCpu.CARRIER_CLASS + ") are found").isNotNull();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long processBefore = os.getProcessCpuTime();
        long before = carriers.getAsLong();
        // the spinning thread itself reads the clock, between rounds of work, until it has counted 200 ms: the test
        // waits for that condition by joining it, not by polling
        AtomicLong counted = new AtomicLong();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos(); // a loaded machine gives it little CPU
        Thread spinner = Thread.ofVirtual().start(() -> {
            long x = 0;
            while (counted.get() < 200 * MS && System.nanoTime() < deadline) {
                for (int i = 0; i < 100_000; i++) {
                    x += System.nanoTime() & 1; // computes without ever parking
                }
                counted.set(carriers.getAsLong() - before);
            }
            sink = x;
        });
        assertThat(spinner.join(Duration.ofSeconds(90))).as("the spinner ends by itself").isTrue();
        long processUsed = os.getProcessCpuTime() - processBefore;
        assertThat(counted.get()).as("the spinning virtual thread's CPU time").isGreaterThanOrEqualTo(200 * MS);
        // the process's clock counts in ticks (10 ms on Linux): allow one
        assertThat(counted.get()).as("never more than the process used").isLessThanOrEqualTo(processUsed + 10 * MS);
        assertThat(carriers.getAsLong()).as("a clock: it does not go back")
                .isGreaterThanOrEqualTo(before + counted.get());
    }

    @Test
    void theCarriersAreFoundFromAVirtualThreadAsWell() throws InterruptedException {
        // requests ask for it on their own virtual threads, whose thread group is not the platform threads' one
        AtomicReference<CarrierCpu> found = new AtomicReference<>();
        AtomicLong read = new AtomicLong(-1);
        Thread.ofVirtual().start(() -> {
            CarrierCpu cpu = CarrierCpu.get();
            found.set(cpu);
            if (cpu != null) {
                read.set(cpu.getAsLong());
            }
        }).join();
        assertThat(found.get()).isNotNull();
        assertThat(read.get()).isNotNegative();
    }
}
