package dev.chassis.core.internal.transport;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * look wakes it). The looks are at least {@link #MIN_GAP} apart, so a task may run that much after its time. The
 * table holds as many slots as tasks were ever pending at once (grown, never shrunk); a look at a few thousand slots
 * costs a few microseconds. Only {@link #schedule(Runnable, long, TimeUnit)}
 * and {@link #execute} are supported — what {@code io.grpc.Context#withDeadline} and the filters use; tasks must be
 * short and must not block (they run on the timer's thread). Not API.
 */
public final class DeadlineTimer extends AbstractExecutorService implements ScheduledExecutorService {
    /** The longest the timer's thread sleeps between two looks at its tasks. */
    static final long TICK = TimeUnit.MILLISECONDS.toNanos(5);
    /** Added to {@link #nextLook} while the thread looks: every task is due before it, so every schedule wakes it. */
    private static final long LOOKING = Long.MAX_VALUE / 2;
    /** The shortest: bounds the looks to 5,000 a second however many deadlines pass. */
    private static final long MIN_GAP = TimeUnit.MICROSECONDS.toNanos(200);
    /** Slots per segment of the table; a power of two. */
    private static final int SEGMENT = 256;
    /** Occupied slots looked at from a task's start before the table grows. */
    private static final int PROBES = 32;
    private static final DeadlineTimer INSTANCE = new DeadlineTimer();

    /** The table: segments of {@link #SEGMENT} slots, appended (copy on write) when a task finds no free slot. */
    private volatile AtomicReferenceArray<Task>[] segments = newSegments(1);
    private final ReentrantLock growing = new ReentrantLock();
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
                long now = System.nanoTime();
                long wake = now + TICK;
                // while it looks, a task scheduled behind its back wakes it again: nothing waits a tick by that race
                nextLook = now + LOOKING;
                for (AtomicReferenceArray<Task> segment : segments) {
                    for (int i = 0; i < SEGMENT; i++) {
                        Task t = segment.get(i);
                        if (t == null) {
                            continue;
                        }
                        if (t.due - now <= 0) {
                            if (segment.compareAndSet(i, t, null)) {
                                due.add(t);
                            }
                        } else if (t.due - wake < 0) {
                            wake = t.due;
                        }
                    }
                }
                nextLook = wake;
                if (due.size() > 1) {
                    due.sort((a, b) -> Long.compare(a.due - b.due, 0)); // nanoTime values: compare by difference
                }
                for (Task t : due) {
                    t.fire();
                }
                due.clear();
                LockSupport.parkNanos(Math.max(MIN_GAP, wake - System.nanoTime()));
            } catch (Throwable t) { // the only thread of every deadline in the JVM: it must outlive any task
                due.clear();
                LockSupport.parkNanos(TICK);
            }
        }
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Task task = new Task(System.nanoTime() + unit.toNanos(delay), command);
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
                        if (task.due - nextLook < 0) {
                            LockSupport.unpark(thread); // due before the timer's next look: it looks again now
                        }
                        return task;
                    }
                }
            }
            grow(table);
        }
    }

    /** Doubles the table, unless another thread did since {@code seen} was read. */
    private void grow(AtomicReferenceArray<Task>[] seen) {
        growing.lock();
        try {
            if (segments == seen) {
                AtomicReferenceArray<Task>[] bigger = Arrays.copyOf(seen, seen.length * 2);
                AtomicReferenceArray<Task>[] added = newSegments(seen.length);
                System.arraycopy(added, 0, bigger, seen.length, added.length);
                segments = bigger;
            }
        } finally {
            growing.unlock();
        }
    }

    /** A scheduled task; cancelling it frees its slot. */
    private static final class Task implements ScheduledFuture<Object> {
        private final long due;
        private final Runnable command;
        private AtomicReferenceArray<Task> segment;
        private int slot;
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

        void fire() {
            state = 1;
            try {
                command.run();
            } catch (RuntimeException | Error e) {
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, e);
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (segment.compareAndSet(slot, this, null)) {
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

    /** Runs {@code command} now, on the calling thread. */
    @Override
    public void execute(Runnable command) {
        command.run();
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("only schedule(Runnable, ...)");
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException("only schedule(Runnable, ...)");
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("only schedule(Runnable, ...)");
    }

    /** The JVM's timer is never shut down. */
    @Override
    public void shutdown() {
    }

    @Override
    public List<Runnable> shutdownNow() {
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return false;
    }
}
