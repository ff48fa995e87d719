package dev.chassis.core.internal.transport;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The timer of per-request deadlines: one {@code schedule} when a request or call starts and one {@code cancel} when
 * it ends, on every request. A {@link java.util.concurrent.ScheduledThreadPoolExecutor} guards its queue with one
 * lock, and under a saturated virtual-thread scheduler that lock becomes a convoy: a virtual thread that finds it
 * taken parks, and is woken at the back of the scheduler's queue, seconds later (seen in a thread dump of
 * {@code bench-overload.sh} at 4x: requests that held a concurrency permit were parked on the timer's lock). A sorted
 * concurrent structure (a skip list, tried) costs an ordered insert and removal per request — 2–3 % of a
 * {@code GET}'s CPU in {@code bench-profile.sh}. Here a task takes a free slot of a table (one compare-and-set) and
 * cancelling it frees the slot (another); one platform thread looks at every slot when the earliest task is due, or
 * a {@link #TICK} after its last look, and runs the tasks then due, in due order (a task due before the thread's next
 * look wakes it). The looks are at least {@link #MIN_GAP} apart, so a task may run that much after its time (more
 * when the machine is busy). The
 * table holds as many slots as tasks were ever pending at once (grown, never shrunk), up to {@link #MAX_SEGMENTS}
 * segments; past them, tasks wait in a sorted overflow that the thread reads from its earliest end. Only {@link #schedule(Runnable, long, TimeUnit)}
 * and {@link #execute} are supported — what {@code io.grpc.Context#withDeadline} and the filters use; tasks must be
 * short and must not block (they run on the timer's thread). Not API.
 */
public final class DeadlineTimer extends RunnablesOnlyScheduler {
    /**
     * The longest the timer's thread sleeps between two looks at its tasks. Precision does not depend on it (a task due
     * before the next look wakes the thread); it bounds how often an idle or far-from-due table is looked at: with
     * requests' deadlines tens of seconds away, 20 looks a second (at 5 ms, 200 cost about 1 % of a core at 60,000
     * requests a second in {@code bench-profile.sh}).
     */
    static final long TICK = TimeUnit.MILLISECONDS.toNanos(50);
    /** The longest delay: later tasks are due then (about 73 years), so that due times compare by difference. */
    private static final long MAX_DELAY = Long.MAX_VALUE >> 2;
    /**
     * The shortest sleep between two looks — at most 5,000 a second however many deadlines pass — unless a task due
     * sooner than the next look is scheduled.
     */
    private static final long MIN_GAP = TimeUnit.MICROSECONDS.toNanos(200);
    /** Slots per segment of the table; a power of two. */
    private static final int SEGMENT = 256;
    /** Occupied slots looked at from a task's start before the table grows. */
    private static final int PROBES = 32;
    /**
     * The table's most segments (16,384 slots: a look at all of them takes tens of microseconds). Past them — more
     * deadlines pending at once than that, with the concurrency limit off — tasks wait in a sorted overflow, so that a
     * burst of requests does not leave a table behind whose every look costs the CPU.
     */
    static final int MAX_SEGMENTS = 64;
    /** The overflow's order: by due time, then by arrival. */
    private static final Comparator<Task> OVERFLOW_ORDER = (a, b) -> {
        int c = Long.compare(a.due - b.due, 0); // nanoTime values: compare by difference
        return c != 0 ? c : Long.compare(a.seq, b.seq);
    };
    private static final DeadlineTimer INSTANCE = new DeadlineTimer();

    /** The table: segments of {@link #SEGMENT} slots, appended (copy on write) when a task finds no free slot. */
    private volatile AtomicReferenceArray<Task>[] segments = newSegments(1);
    private final ReentrantLock growing = new ReentrantLock();
    private final ConcurrentSkipListMap<Task, Boolean> overflow = new ConcurrentSkipListMap<>(OVERFLOW_ORDER);
    private final AtomicLong overflowSequence = new AtomicLong();
    private final Thread thread;
    /** When the timer's thread looks next ({@code nanoTime}): at the earliest task's due time, or a tick from its last. */
    private volatile long nextLook = System.nanoTime();

    private DeadlineTimer() {
        thread = new Thread(this::run, "chassis-deadlines");
        thread.setDaemon(true);
        thread.start();
    }

    /** The JVM's timer. */
    public static DeadlineTimer get() {
        return INSTANCE;
    }

    @SuppressWarnings("unchecked")
    private static AtomicReferenceArray<Task>[] newSegments(int n) {
        AtomicReferenceArray<Task>[] out = (AtomicReferenceArray<Task>[]) new AtomicReferenceArray<?>[n];
        for (int i = 0; i < n; i++) {
            out[i] = new AtomicReferenceArray<>(SEGMENT);
        }
        return out;
    }

    private void run() {
        List<Task> due = new ArrayList<>();
        while (true) {
            try {
                Thread.interrupted(); // a task that left the thread interrupted must not make every park return at once
                look(due);
            } catch (Throwable t) { // the only thread of every deadline in the JVM: it must outlive anything
                LockSupport.parkNanos(TICK);
            }
        }
    }

    /** One look: takes the tasks now due out of the table and the overflow, runs them in due order, then parks. */
    private void look(List<Task> due) {
        long now = System.nanoTime();
        long wake = now + TICK;
        // while it looks, a task scheduled behind its back that is due before the look's latest wake-up wakes it again;
        // a later one is found by the next look, which is never later than that
        nextLook = wake;
        for (AtomicReferenceArray<Task> segment : segments) {
            for (int i = 0; i < SEGMENT; i++) {
                Task t = segment.get(i);
                if (t == null) {
                    continue;
                }
                if (t.due - now <= 0) {
                    if (segment.compareAndSet(i, t, null)) {
                        t.taken();
                        due.add(t);
                    }
                } else if (t.due - wake < 0) {
                    wake = t.due;
                }
            }
        }
        for (Task first; (first = firstOverflow()) != null; ) {
            if (first.due - now > 0) {
                if (first.due - wake < 0) {
                    wake = first.due;
                }
                break;
            }
            if (overflow.remove(first) != null) {
                first.taken();
                due.add(first);
            }
        }
        nextLook = wake;
        if (due.size() > 1) {
            due.sort((a, b) -> Long.compare(a.due - b.due, 0)); // nanoTime values: compare by difference
        }
        for (int i = 0; i < due.size(); i++) {
            due.get(i).fire(); // never throws: one task's failure must not lose the others, already taken out
            Thread.interrupted();
        }
        due.clear();
        LockSupport.parkNanos(Math.max(MIN_GAP, wake - System.nanoTime()));
    }

    private Task firstOverflow() {
        Map.Entry<Task, Boolean> first = overflow.firstEntry();
        return first == null ? null : first.getKey();
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Task task = new Task(System.nanoTime() + Math.min(Math.max(0, unit.toNanos(delay)), MAX_DELAY), command);
        // where to start looking: spread by thread, so that concurrent requests rarely try the same slot, while one
        // thread's requests (a keep-alive connection's) come back to the slot its previous request freed
        long h = Thread.currentThread().threadId() * 0x9E3779B97F4A7C15L;
        while (true) {
            AtomicReferenceArray<Task>[] table = segments;
            int size = table.length * SEGMENT;
            int start = (int) ((h >>> 32) % size);
            for (int k = 0; k < Math.min(PROBES, size); k++) {
                int i = (start + k) % size;
                AtomicReferenceArray<Task> segment = table[i / SEGMENT];
                if (segment.get(i % SEGMENT) == null) {
                    task.placed(segment, i % SEGMENT); // before the slot publishes the task: a canceller sees it
                    if (segment.compareAndSet(i % SEGMENT, null, task)) {
                        return scheduled(task);
                    }
                }
            }
            if (!grow(table)) {
                task.placed(null, 0);
                task.seq = overflowSequence.incrementAndGet();
                overflow.put(task, Boolean.TRUE);
                return scheduled(task);
            }
        }
    }

    private Task scheduled(Task task) {
        if (task.due - nextLook < 0) {
            LockSupport.unpark(thread); // due before the timer's next look: it looks again now
        }
        return task;
    }

    /**
     * Doubles the table, unless another thread did since {@code seen} was read; false when it has its most segments.
     */
    private boolean grow(AtomicReferenceArray<Task>[] seen) {
        if (seen.length >= MAX_SEGMENTS) {
            return false; // no lock on this path: it is taken by every task while the table is full
        }
        growing.lock();
        try {
            if (segments == seen) {
                AtomicReferenceArray<Task>[] bigger = Arrays.copyOf(seen, seen.length * 2);
                AtomicReferenceArray<Task>[] added = newSegments(seen.length);
                System.arraycopy(added, 0, bigger, seen.length, added.length);
                segments = bigger;
            }
            return true;
        } finally {
            growing.unlock();
        }
    }

    /** The table's slots (for tests). */
    int slots() {
        return segments.length * SEGMENT;
    }

    /** A scheduled task; cancelling it frees its slot (or takes it out of the overflow). */
    private final class Task implements ScheduledFuture<Object> {
        private final long due;
        private final Runnable command;
        /** Its segment, or null in the overflow. */
        private AtomicReferenceArray<Task> segment;
        private int slot;
        /** Its place among tasks of the same due time in the overflow. */
        private long seq;
        private volatile int state; // 0 waiting, 1 ran, 2 cancelled

        Task(long due, Runnable command) {
            this.due = due;
            this.command = command;
        }

        /** Where the task sits: set by the scheduling thread before the slot's compare-and-set publishes it. */
        void placed(AtomicReferenceArray<Task> segment, int slot) {
            this.segment = segment;
            this.slot = slot;
        }

        /** Taken out to run: from now on it is done, and cannot be cancelled. */
        void taken() {
            state = 1;
        }

        void fire() {
            try {
                command.run();
            } catch (Throwable e) {
                try {
                    Thread t = Thread.currentThread();
                    t.getUncaughtExceptionHandler().uncaughtException(t, e);
                } catch (Throwable ignored) {
                    // the handler failed too: nothing more can be said, and the timer's other tasks still run
                }
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (segment != null ? segment.compareAndSet(slot, this, null) : overflow.remove(this) != null) {
                state = 2;
                return true;
            }
            return false;
        }

        @Override
        public boolean isCancelled() {
            return state == 2;
        }

        @Override
        public boolean isDone() {
            return state != 0;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(due - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public Object get() throws InterruptedException, ExecutionException {
            throw new UnsupportedOperationException("a deadline task has no result to wait for");
        }

        @Override
        public Object get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException,
                TimeoutException {
            throw new UnsupportedOperationException("a deadline task has no result to wait for");
        }
    }

    /**
     * A scheduler for one gRPC context's deadline that also tells its owner when that deadline passed: gRPC hands it
     * the task that cancels the context, which it schedules on the timer, and at the deadline {@link #expired()} runs
     * just before that task, on the timer's thread. A request's watch is one, which spares every request the
     * cancellation listener it would otherwise add to its context for the same news (the listener, its wrapper and
     * the context's list of listeners: about 120 bytes a request). Only one {@code schedule(Runnable, ...)}, from the
     * thread that made it.
     */
    abstract static class Expiry extends RunnablesOnlyScheduler implements Runnable {
        private Runnable cancel;

        /** The deadline passed: runs on the timer's thread, must be short and must not block. */
        protected abstract void expired();

        /** Whether gRPC scheduled a deadline here (not when the context took an earlier one from its parent). */
        final boolean scheduled() {
            return cancel != null;
        }

        @Override
        public final ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            if (cancel != null) {
                throw new IllegalStateException("an expiry schedules one deadline");
            }
            cancel = command; // published to the timer's thread by the task's slot
            return DeadlineTimer.get().schedule(this, delay, unit);
        }

        /** The deadline: the owner first, so that whatever the context's cancellation wakes finds it told. */
        @Override
        public final void run() {
            try {
                expired();
            } finally {
                cancel.run();
            }
        }
    }
}
