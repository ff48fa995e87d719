package dev.chassis.core.internal.overload;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import com.sun.management.OperatingSystemMXBean;

/**
 * How long a request arriving now would wait for a carrier: the virtual threads queued per carrier
 * ({@link SchedulerQueue}) times what a request has recently cost the process in CPU time (the process's CPU time over
 * the last period divided by the requests that arrived in it, refused ones included). A count of threads alone says
 * nothing of time: fifty queued requests that will be refused cost less than one that is served, so a bound on the
 * count is either too loose for expensive requests or refuses a few cheap clients. Measured this way the estimate
 * falls as refusals become the larger share of the work, so a server refusing most of what it is offered still
 * admits enough to keep its CPU busy. A queue counts only while the CPUs are busy — the last period's process CPU
 * time at least {@value #BUSY_PERCENT} % of what the JVM's processors could give it: a burst of new connections at
 * low load queues requests for a moment while the CPU idles between bursts, and is no reason to refuse any.
 * Thread-safe; the process's CPU time is read at most once a period. Not API.
 */
final class SchedulerWait {
    /** How often the cost per request is measured again. */
    static final long PERIOD_NANOS = 50_000_000L;
    /** The share of the processors' time the process must have used in the last period for a queue to count. */
    static final int BUSY_PERCENT = 75;

    private final LongSupplier queuedPerCarrier;
    private final LongSupplier processCpuNanos;
    private final LongSupplier nanoClock;
    private final int processors;
    private final LongAdder requests = new LongAdder();
    /** When the current period ends. */
    private final AtomicLong periodEnd;
    private volatile long cpuAtStart;
    private volatile long requestsAtStart;
    /** The CPU time a request cost in the last period that had requests; 0 until one has ended. */
    private volatile long costNanos;
    /** When the current period began. */
    private volatile long periodStart;
    /** Whether the process kept the processors busy in the last period. */
    private volatile boolean busy;

    /**
     * @param queuedPerCarrier the virtual threads waiting to run, per carrier
     * @param processCpuNanos  the process's CPU time so far
     * @param nanoClock        {@link System#nanoTime()} but in tests
     * @param processors       the processors the JVM may use
     */
    SchedulerWait(LongSupplier queuedPerCarrier, LongSupplier processCpuNanos, LongSupplier nanoClock, int processors) {
        this.queuedPerCarrier = queuedPerCarrier;
        this.processCpuNanos = processCpuNanos;
        this.nanoClock = nanoClock;
        this.processors = processors;
        this.cpuAtStart = processCpuNanos.getAsLong();
        this.periodStart = nanoClock.getAsLong();
        this.periodEnd = new AtomicLong(periodStart + PERIOD_NANOS);
    }

    /**
     * The check over this JVM's scheduler and process CPU time, or null when this JDK lacks either (the scheduler's
     * count is JDK 24 or later; the process CPU time is {@code com.sun.management}'s).
     */
    static SchedulerWait get(LongSupplier nanoClock) {
        SchedulerQueue queue = SchedulerQueue.get();
        if (queue == null || !(ManagementFactory.getOperatingSystemMXBean()
                instanceof OperatingSystemMXBean os) || os.getProcessCpuTime() < 0) {
            return null;
        }
        return new SchedulerWait(queue::perCarrier, os::getProcessCpuTime, nanoClock,
                Runtime.getRuntime().availableProcessors());
    }

    /** Whether a request arriving now would wait longer than {@code maxNanos}; counts the request (in this period). */
    boolean saturated(long maxNanos) {
        long now = nanoClock.getAsLong();
        long end = periodEnd.get();
        if (now - end >= 0 && periodEnd.compareAndSet(end, now + PERIOD_NANOS)) {
            long cpu = processCpuNanos.getAsLong();
            long used = Math.max(0, cpu - cpuAtStart);
            long count = requests.sum();
            long n = count - requestsAtStart;
            if (n > 0) {
                costNanos = used / n;
            }
            busy = used * 100 >= (now - periodStart) * processors * BUSY_PERCENT;
            cpuAtStart = cpu;
            requestsAtStart = count;
            periodStart = now;
        }
        requests.increment();
        return busy && waitNanos() > maxNanos;
    }

    /** The estimated wait now, in nanoseconds. */
    long waitNanos() {
        return queuedPerCarrier.getAsLong() * costNanos;
    }
}
