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
 * <p>A queue counts only while the last period was busy: its CPU time, plus what the requests refused in it would
 * have cost had they been served ({@link #servedCostNanos()}), at least {@value #BUSY_PERCENT} % of what the carriers
 * could use, and its CPU time alone at least {@value #USED_PERCENT} % of it. A burst of new connections at low load
 * queues requests for a moment while the CPU idles between bursts, and is no reason to refuse any. The refused
 * requests are counted in because a period spent mostly refusing uses little CPU: on the CPU time alone, it would read
 * as idle and let the whole next period's requests in, and the server would swing between refusing everything and
 * admitting everything, one period each (measured at 2× capacity with a new connection per request: a queue of 180
 * requests let in). The floor on the CPU time keeps refusals alone from keeping the check on. What the carriers could
 * use is their share of the processors less what the rest of the process (the collector, the compilers, platform
 * pollers) used over the last {@link #OTHERS_WINDOW_NANOS} ns, at most {@value #MAX_OTHERS_PERCENT} %.
 *
 * <p>Thread-safe; the CPU time is read at most once a period. Not API.
 */
final class SchedulerWait {
    /** How often the cost per request is measured again. */
    static final long PERIOD_NANOS = 50_000_000L;
    /** The share of the carriers' time the last period must have asked for, for a queue to count. */
    static final int BUSY_PERCENT = 75;
    /** The share of the carriers' time the last period must have used, whatever it asked for. */
    static final int USED_PERCENT = 25;
    /** The fewest requests a period must have had for its cost to stand for a served request's. */
    static final int MIN_REQUESTS = 8;
    /** How long the CPU the rest of the process takes (collector, compilers, pollers) is measured over. */
    static final long OTHERS_WINDOW_NANOS = 1_000_000_000L;
    /** The most of the processors that the rest of the process is taken to use. */
    static final int MAX_OTHERS_PERCENT = 50;

    private final LongSupplier queuedPerCarrier;
    private final LongSupplier carrierCpuNanos;
    private final LongSupplier processCpuNanos; // null: the carriers' clock is the process's
    private final LongSupplier nanoClock;
    private final int processors;
    private final LongAdder requests = new LongAdder();
    /** The requests the caller refused, on this check's word or another's, so far ({@link #refused()}). */
    private final LongAdder refusals = new LongAdder();
    private volatile long refusalsAtStart;
    /**
     * What a served request costs: the cost per request of the periods that refused nothing and had at least
     * {@value #MIN_REQUESTS} requests, smoothed (each such period counts for half); 0 until one.
     */
    private volatile long servedCostNanos;
    /** When the current period ends. */
    private final AtomicLong periodEnd;
    private volatile long cpuAtStart;
    private volatile long requestsAtStart;
    /** The CPU time a request cost in the last period that had requests; 0 until one has ended. */
    private volatile long costNanos;
    /** When the current period began. */
    private volatile long periodStart;
    /** Whether the last period was busy: see the class. */
    private volatile boolean busy;
    /** The share (percent) of the processors the rest of the process used over the last window. */
    private volatile long othersPercent;
    private volatile long windowStart;
    private volatile long windowCarriers;
    private volatile long windowProcess;

    /**
     * @param queuedPerCarrier the virtual threads waiting to run, per carrier
     * @param cpuNanos         the CPU time the carriers (or the process) have used so far
     * @param nanoClock        {@link System#nanoTime()} but in tests
     * @param processors       how many carriers (or processors) that CPU time is spread over
     */
    SchedulerWait(LongSupplier queuedPerCarrier, LongSupplier cpuNanos, LongSupplier nanoClock, int processors) {
        this(queuedPerCarrier, cpuNanos, null, nanoClock, processors);
    }

    /**
     * @param queuedPerCarrier the virtual threads waiting to run, per carrier
     * @param carrierCpuNanos  the CPU time the carriers have used so far
     * @param processCpuNanos  the CPU time the whole process has used so far (any resolution), or null when the
     *                         carriers' clock is the process's
     * @param nanoClock        {@link System#nanoTime()} but in tests
     * @param processors       how many carriers can run at once
     */
    SchedulerWait(LongSupplier queuedPerCarrier, LongSupplier carrierCpuNanos, LongSupplier processCpuNanos,
                  LongSupplier nanoClock, int processors) {
        this.queuedPerCarrier = queuedPerCarrier;
        this.carrierCpuNanos = carrierCpuNanos;
        this.processCpuNanos = processCpuNanos;
        this.nanoClock = nanoClock;
        this.processors = processors;
        this.cpuAtStart = carrierCpuNanos.getAsLong();
        this.periodStart = nanoClock.getAsLong();
        this.periodEnd = new AtomicLong(periodStart + PERIOD_NANOS);
        this.windowStart = periodStart;
        this.windowCarriers = cpuAtStart;
        this.windowProcess = processCpuNanos == null ? 0 : processCpuNanos.getAsLong();
    }

    /**
     * The check over this JVM's scheduler and its carriers' CPU time ({@link CarrierCpu}), or null when this JDK lacks
     * the scheduler's count (JDK 24 or later). Where the carriers' clocks cannot be read, the process's CPU time
     * ({@code com.sun.management}'s) stands in for them, against all the JVM's processors; null without either.
     */
    static SchedulerWait get(LongSupplier nanoClock) {
        SchedulerQueue queue = SchedulerQueue.get();
        if (queue == null || !(ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os)
                || os.getProcessCpuTime() < 0) {
            return null;
        }
        int available = Runtime.getRuntime().availableProcessors();
        CarrierCpu carriers = CarrierCpu.get();
        if (carriers != null) {
            return new SchedulerWait(queue::perCarrier, carriers, os::getProcessCpuTime, nanoClock,
                    Math.min(queue.carriers(), available));
        }
        return new SchedulerWait(queue::perCarrier, os::getProcessCpuTime, nanoClock, available);
    }

    /**
     * Whether a request arriving now would wait longer than {@code maxNanos}; counts the request (in this period). The
     * caller says {@link #refused()} when it refuses the request, on this check's word or another's.
     */
    boolean saturated(long maxNanos) {
        long now = nanoClock.getAsLong();
        long end = periodEnd.get();
        if (now - end >= 0 && periodEnd.compareAndSet(end, now + PERIOD_NANOS)) {
            endPeriod(now);
        }
        requests.increment();
        return busy && waitNanos() > maxNanos;
    }

    /** The request just asked about was refused. */
    void refused() {
        refusals.increment();
    }

    /** Measures the period that ends now: its cost per request, and whether it was busy. */
    private void endPeriod(long now) {
        long cpu = carrierCpuNanos.getAsLong();
        long used = Math.max(0, cpu - cpuAtStart);
        long count = requests.sum();
        long n = count - requestsAtStart;
        long refusedCount = refusals.sum();
        long refused = refusedCount - refusalsAtStart;
        if (n > 0) {
            costNanos = used / n;
            if (refused == 0 && n >= MIN_REQUESTS) {
                long served = servedCostNanos;
                servedCostNanos = served == 0 ? costNanos : (served + costNanos) / 2;
            }
        }
        if (processCpuNanos != null && now - windowStart >= OTHERS_WINDOW_NANOS) {
            // the collector, the compilers and the pollers take CPU the carriers cannot have; the process's clock
            // is coarse (10 ms ticks), which over a second is about 1 %
            long process = processCpuNanos.getAsLong();
            long others = Math.max(0, (process - windowProcess) - (cpu - windowCarriers));
            othersPercent = Math.min(MAX_OTHERS_PERCENT, others * 100 / ((now - windowStart) * processors));
            windowStart = now;
            windowCarriers = cpu;
            windowProcess = process;
        }
        // what the carriers could have used, and what the period's requests would have cost had none been refused:
        // a period spent mostly refusing uses little CPU, and would otherwise read as idle and let the next
        // period's requests all in; but a period that hardly used the CPU is not busy, whatever it refused
        long capacity = (now - periodStart) * processors * (100 - othersPercent) / 100;
        long demand = used + refused * servedCostNanos;
        busy = demand * 100 >= capacity * BUSY_PERCENT && used * 100 >= capacity * USED_PERCENT;
        cpuAtStart = cpu;
        requestsAtStart = count;
        refusalsAtStart = refusedCount;
        periodStart = now;
    }

    /** What a served request costs, as last measured (nanoseconds); 0 until measured. */
    long servedCostNanos() {
        return servedCostNanos;
    }

    /** The estimated wait now, in nanoseconds. */
    long waitNanos() {
        return queuedPerCarrier.getAsLong() * costNanos;
    }
}
