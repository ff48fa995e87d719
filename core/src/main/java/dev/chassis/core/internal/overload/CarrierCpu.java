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
 * are exactly what a queued virtual thread waits for: the JIT's and the collector's threads are not in it.
 *
 * <p>The carriers are found by class ({@code jdk.internal.misc.CarrierThread}, JDK 21 to 25) among the live platform
 * threads, again every {@link #REFRESH_NANOS}: the scheduler adds carriers (when one blocks) and retires idle ones.
 * A carrier first seen counts from then; one that ended keeps what it had used. Where no carrier is found (another
 * JDK, or a JVM whose thread CPU time is off), {@link #get} returns null and the caller falls back to the process's
 * CPU time. Thread-safe: {@link SchedulerWait} reads it once a period; a read that finds another in progress (its
 * thread held up past a period) does not wait and gets the last total. Not API.
 */
final class CarrierCpu implements LongSupplier {
    /** The class of the default scheduler's carrier threads. */
    static final String CARRIER_CLASS = "jdk.internal.misc.CarrierThread";
    /** How often the carriers are looked for again. */
    static final long REFRESH_NANOS = 1_000_000_000L;

    private final ThreadMXBean threads;
    private final LongSupplier nanoClock;
    /** Each known carrier's CPU time when last read, by thread id. */
    private final Map<Long, Long> last = new HashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private long[] ids = new long[0];
    private long refreshedAt;
    private volatile long total;

    private CarrierCpu(ThreadMXBean threads, LongSupplier nanoClock) {
        this.threads = threads;
        this.nanoClock = nanoClock;
    }

    /** The carriers' clock, or null when this JVM has no carrier to read or cannot read a thread's CPU time. */
    static CarrierCpu get(LongSupplier nanoClock) {
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
        CarrierCpu cpu = new CarrierCpu(bean, nanoClock);
        cpu.refresh(nanoClock.getAsLong());
        return cpu.ids.length == 0 ? null : cpu;
    }

    @Override
    public long getAsLong() {
        if (!lock.tryLock()) {
            return total;
        }
        try {
            long now = nanoClock.getAsLong();
            if (now - refreshedAt >= REFRESH_NANOS) {
                refresh(now);
            }
            long[] times = threads.getThreadCpuTime(ids);
            long sum = total;
            for (int i = 0; i < ids.length; i++) {
                Long before = last.get(ids[i]);
                if (times[i] >= 0 && before != null) {
                    sum += Math.max(0, times[i] - before);
                    last.put(ids[i], times[i]);
                }
            }
            total = sum;
            return sum;
        } finally {
            lock.unlock();
        }
    }

    /** Looks for the carriers again: new ones start counting now, ended ones are dropped. */
    private void refresh(long now) {
        refreshedAt = now;
        List<Long> found = carrierIds();
        long[] next = found.stream().mapToLong(Long::longValue).toArray();
        long[] times = threads.getThreadCpuTime(next);
        Map<Long, Long> kept = new HashMap<>();
        for (int i = 0; i < next.length; i++) {
            Long before = last.get(next[i]);
            if (before != null && times[i] >= 0) {
                total += Math.max(0, times[i] - before); // what a known carrier used since the last read
            }
            if (times[i] >= 0) {
                kept.put(next[i], times[i]);
            }
        }
        last.clear();
        last.putAll(kept);
        ids = next;
    }

    /** The ids of the live carrier threads. */
    private static List<Long> carrierIds() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root != null && root.getParent() != null) {
            root = root.getParent();
        }
        List<Long> ids = new ArrayList<>();
        if (root == null) {
            return ids;
        }
        Thread[] all = new Thread[root.activeCount() * 2 + 16];
        int n = root.enumerate(all, true);
        for (int i = 0; i < n; i++) {
            if (all[i].getClass().getName().equals(CARRIER_CLASS)) {
                ids.add(all[i].threadId());
            }
        }
        return ids;
    }
}
