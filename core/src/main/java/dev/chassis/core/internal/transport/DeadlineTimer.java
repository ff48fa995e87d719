package dev.chassis.core.internal.transport;

import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The timer of per-request deadlines: one {@code schedule} when a request or call starts and one {@code cancel} when
 * it ends, on every request. A {@link java.util.concurrent.ScheduledThreadPoolExecutor} guards its queue with one
 * lock, and under a saturated virtual-thread scheduler that lock becomes a convoy: a virtual thread that finds it
 * taken parks, and is woken at the back of the scheduler's queue, seconds later (seen in a thread dump of
 * {@code bench-overload.sh} at 4x: requests that held a concurrency permit were parked on the timer's lock). Here the
 * tasks sit in a lock-free skip list and one platform thread runs them when due, within about {@link #TICK} (a
 * deadline is a timeout, not an alarm clock). Only {@link #schedule(Runnable, long, TimeUnit)} and
 * {@link #execute} are supported — what {@code io.grpc.Context#withDeadline} and the filters use; tasks must be
 * short and must not block (they run on the timer's thread). Not API.
 */
public final class DeadlineTimer extends AbstractExecutorService implements ScheduledExecutorService {
    /** The longest the timer's thread sleeps between two looks at its first task. */
    static final long TICK = TimeUnit.MILLISECONDS.toNanos(5);
    private static final DeadlineTimer INSTANCE = new DeadlineTimer();

    private final ConcurrentSkipListMap<Key, Task> tasks = new ConcurrentSkipListMap<>();
    private final AtomicLong sequence = new AtomicLong();

    private DeadlineTimer() {
        Thread thread = new Thread(this::run, "chassis-deadlines");
        thread.setDaemon(true);
        thread.start();
    }

    /** The JVM's timer. */
    public static DeadlineTimer get() {
        return INSTANCE;
    }

    private record Key(long due, long seq) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Long.compare(due - o.due, 0); // nanoTime values: compare by difference
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private void run() {
        while (true) {
            try {
                Map.Entry<Key, Task> first = tasks.firstEntry();
                long now = System.nanoTime();
                if (first == null) {
                    LockSupport.parkNanos(TICK);
                } else if (first.getKey().due - now > 0) {
                    LockSupport.parkNanos(Math.min(TICK, first.getKey().due - now));
                } else if (tasks.remove(first.getKey(), first.getValue())) {
                    first.getValue().fire();
                }
            } catch (Throwable t) { // the only thread of every deadline in the JVM: it must outlive any task
                LockSupport.parkNanos(TICK);
            }
        }
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Key key = new Key(System.nanoTime() + unit.toNanos(delay), sequence.incrementAndGet());
        Task task = new Task(key, command);
        tasks.put(key, task);
        return task;
    }

    /** A scheduled task; cancelling it removes it from the list. */
    private final class Task implements ScheduledFuture<Object> {
        private final Key key;
        private final Runnable command;
        private volatile int state; // 0 waiting, 1 ran, 2 cancelled

        Task(Key key, Runnable command) {
            this.key = key;
            this.command = command;
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
            if (tasks.remove(key, this)) {
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
            return unit.convert(key.due - System.nanoTime(), TimeUnit.NANOSECONDS);
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
