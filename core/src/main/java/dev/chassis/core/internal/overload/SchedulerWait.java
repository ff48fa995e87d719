package dev.chassis.core.internal.overload;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import com.sun.management.OperatingSystemMXBean;

/**
 * How long a request arriving now would wait for a carrier: the virtual threads queued per carrier
 * ({@link SchedulerQueue}) times what a request has recently cost in CPU time (the carriers' CPU time over the last
 * period, {@link CarrierCpu}, divided by the requests that arrived in it, refused ones included). A count of threads
 * alone says nothing of time: fifty queued requests that will be refused cost less than one that is served, so a
 * bound on the count is either too loose for expensive requests or refuses a few cheap clients. Measured this way the
 * estimate falls as refusals become the larger share of the work, so a server refusing most of what it is offered
 * still admits enough to keep its CPU busy.
 *
 * <p>A queue counts only while the CPUs are in demand: the last period's CPU time, plus what the requests it found
 * above the bound would have cost had they been served (at the cost per request of the last period that found none),
 * at least {@value #BUSY_PERCENT} % of what the carriers could use. A burst of new connections at low load queues
 * requests for a moment while the CPU idles between bursts, and is no reason to refuse any. The refused requests are
 * counted in because a period spent mostly refusing uses little CPU: on the CPU time alone, it would read as idle and
 * let the whole next period's requests in, and the server would swing between refusing everything and admitting
 * everything, one period each (measured at 2× capacity with a new connection per request: a queue of 180 requests
 * let in).
 *
 * <p>Thread-safe; the CPU time is read at most once a period. Not API.
 */
final class SchedulerWait {
    /** How often the cost per request is measured again. */
    static final long PERIOD_NANOS = 50_000_000L;
    /** The share of the carriers' time the last period must have asked for, for a queue to count. */
    static final int BUSY_PERCENT = 75;

    private final LongSupplier queuedPerCarrier;
    private final LongSupplier processCpuNanos;
    private final LongSupplier nanoClock;
    private final int processors;
    private final LongAdder requests = new LongAdder();
    /** The looks that found the wait above the bound (the requests the caller may refuse), so far. */
    private final LongAdder saturatedLooks = new LongAdder();
    private volatile long saturatedAtStart;
    /** The CPU time a request cost in the last period in which no look found the wait above the bound; 0 until one. */
    private volatile long servedCostNanos;
    /** When the current period ends. */
    private final AtomicLong periodEnd;
    private volatile long cpuAtStart;
    private volatile long requestsAtStart;
    /** The CPU time a request cost in the last period that had requests; 0 until one has ended. */
    private volatile long costNanos;
    /** When the current period began. */
    private volatile long periodStart;
    /** Whether the last period asked for at least {@link #BUSY_PERCENT} % of the carriers. */
    private volatile boolean busy;

    /**
     * @param queuedPerCarrier the virtual threads waiting to run, per carrier
     * @param processCpuNanos  the CPU time the carriers (or the process) have used so far
     * @param nanoClock        {@link System#nanoTime()} but in tests
     * @param processors       how many carriers (or processors) that CPU time is spread over
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
     * The check over this JVM's scheduler and its carriers' CPU time ({@link CarrierCpu}), or null when this JDK lacks
     * the scheduler's count (JDK 24 or later). Where the carriers' clocks cannot be read, the process's CPU time
     * ({@code com.sun.management}'s) stands in for them, against all the JVM's processors; null without either.
     */
    static SchedulerWait get(LongSupplier nanoClock) {
        SchedulerQueue queue = SchedulerQueue.get();
        if (queue == null) {
            return null;
        }
        CarrierCpu carriers = CarrierCpu.get(nanoClock);
        if (carriers != null) {
            return new SchedulerWait(queue::perCarrier, carriers, nanoClock, queue.carriers());
        }
        if (!(ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os)
                || os.getProcessCpuTime() < 0) {
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
            long saturatedCount = saturatedLooks.sum();
            long refusable = saturatedCount - saturatedAtStart;
            if (n > 0) {
                costNanos = used / n;
                if (refusable == 0) {
                    servedCostNanos = costNanos;
                }
            }
            // what the period's requests would have cost had none been refused: a period spent mostly refusing uses
            // little CPU, and would otherwise read as idle and let the next period's requests all in
            long demand = used + refusable * servedCostNanos;
            busy = demand * 100 >= (now - periodStart) * processors * BUSY_PERCENT;
            cpuAtStart = cpu;
            requestsAtStart = count;
            saturatedAtStart = saturatedCount;
            periodStart = now;
        }
        requests.increment();
        if (busy && waitNanos() > maxNanos) {
            saturatedLooks.increment();
            return true;
        }
        return false;
    }

    /** The estimated wait now, in nanoseconds. */
    long waitNanos() {
        return queuedPerCarrier.getAsLong() * costNanos;
    }
}
