package dev.chassis.core.internal.overload;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

import com.sun.management.ThreadMXBean;

/**
 * The CPU time the virtual-thread scheduler's carriers have used so far, in nanoseconds, summed from each carrier's
 * own CPU clock. The process's CPU time ({@code OperatingSystemMXBean.getProcessCpuTime()}) would do as well but for
 * its resolution: on Linux the JDK reads it in clock ticks of 10 ms, so over {@link SchedulerWait}'s 50 ms period it
 * reads 0, 10 … 60 ms for the same load, and a busy CPU often reads as idle and the reverse (measured: 0 ms read for
 * 50 ms in which 26 requests of about 2 ms each were served). A thread's clock counts in nanoseconds, and the carriers
 * are exactly what a queued virtual thread waits for.
 *
 * <p>The carriers are found at every read, by class ({@code jdk.internal.misc.CarrierThread}, JDK 21 to 25) among the
 * live platform threads (a few dozen: some microseconds, once a period): the scheduler adds carriers when one blocks,
 * retires idle ones, and starts them again under load. Thread ids are never reused (JDK 19 and later), so a carrier
 * whose id is above every carrier's at the last read started since, and all its CPU time counts; one that ended
 * since keeps what was counted of it. Where no carrier is found (another JDK, or a JVM whose thread CPU time is off),
 * {@link #get} returns null and the caller falls back to the process's CPU time. Thread-safe: {@link SchedulerWait}
 * reads it once a period; a read that finds another in progress (its thread held up past a period) does not wait and
 * gets the last total, so that period reads short and the next one long. Not API.
 */
final class CarrierCpu implements LongSupplier {
    /** The class of the default scheduler's carrier threads. */
    static final String CARRIER_CLASS = "jdk.internal.misc.CarrierThread";

    private final ThreadMXBean threads;
    private final ReentrantLock lock = new ReentrantLock();
    /** Each carrier's CPU time at the last read, by thread id. */
    private Map<Long, Long> last = Map.of();
    /** The highest carrier thread id at the last read. */
    private long highest;
    private volatile long total;

    private CarrierCpu(ThreadMXBean threads) {
        this.threads = threads;
    }

    /** The carriers' clock, or null when this JVM has no carrier to read or cannot read a thread's CPU time. */
    static CarrierCpu get() {
        if (!(ManagementFactory.getThreadMXBean() instanceof ThreadMXBean bean) || !bean.isThreadCpuTimeSupported()
                || !bean.isThreadCpuTimeEnabled()) {
            return null;
        }
        try {
            Thread.ofVirtual().start(() -> { }).join(); // the scheduler starts its first carrier for it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        CarrierCpu cpu = new CarrierCpu(bean);
        cpu.read(false);
        return cpu.last.isEmpty() ? null : cpu;
    }

    @Override
    public long getAsLong() {
        if (!lock.tryLock()) {
            return total;
        }
        try {
            return read(true);
        } finally {
            lock.unlock();
        }
    }

    /** Reads every carrier's clock; adds what each used since the last read when {@code count}. */
    private long read(boolean count) {
        long[] ids = carrierIds();
        long[] times = threads.getThreadCpuTime(ids);
        Map<Long, Long> now = new HashMap<>();
        long sum = total;
        long top = highest;
        for (int i = 0; i < ids.length; i++) {
            if (times[i] < 0) {
                continue; // ended as it was read
            }
            Long before = last.get(ids[i]);
            if (count && before != null) {
                sum += Math.max(0, times[i] - before);
            } else if (count && ids[i] > highest) {
                sum += times[i]; // started since the last read
            }
            now.put(ids[i], times[i]);
            top = Math.max(top, ids[i]);
        }
        last = now;
        highest = top;
        total = sum;
        return sum;
    }

    /** The ids of the live carrier threads. */
    private static long[] carrierIds() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root != null && root.getParent() != null) {
            root = root.getParent();
        }
        if (root == null) {
            return new long[0];
        }
        Thread[] all = new Thread[root.activeCount() * 2 + 16];
        int n = root.enumerate(all, true);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (all[i].getClass().getName().equals(CARRIER_CLASS)) {
                ids.add(all[i].threadId());
            }
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }
}
