package dev.chassis.core.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import io.grpc.Context;

class DeadlineTimerTest {
    private final DeadlineTimer timer = DeadlineTimer.get();

    @Test
    void tasksRunInTheOrderTheyAreDueAndACancelledOneNever() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        // due a second apart: a pause of this thread (a GC, a loaded machine) must not bring the one to cancel due
        // before it is cancelled, nor "last" due before "first" is scheduled
        timer.schedule(() -> {
            ran.add("last");
            done.countDown();
        }, 1500, TimeUnit.MILLISECONDS);
        ScheduledFuture<?> cancelled = timer.schedule(() -> { ran.add("cancelled"); }, 1000, TimeUnit.MILLISECONDS);
        timer.schedule(() -> { ran.add("first"); }, 50, TimeUnit.MILLISECONDS);
        assertThat(cancelled.cancel(false)).isTrue();
        assertThat(cancelled.isCancelled()).isTrue();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).containsExactly("first", "last");
        assertThat(cancelled.cancel(false)).as("cancelled twice").isFalse();
    }

    @Test
    void aContextDeadlineFiresThroughItAndCancellingTheContextRemovesIt() throws Exception {
        CountDownLatch expired = new CountDownLatch(1);
        Context.CancellableContext ctx = Context.ROOT.withDeadlineAfter(50, TimeUnit.MILLISECONDS, timer);
        ctx.addListener(c -> expired.countDown(), Runnable::run);
        assertThat(expired.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ctx.getDeadline().isExpired()).isTrue();

        Context.CancellableContext ended = Context.ROOT.withDeadlineAfter(1, TimeUnit.HOURS, timer);
        ended.cancel(null); // the request ended: its deadline task leaves the timer
        assertThat(ended.isCancelled()).isTrue();
    }

    /** An expiry that records when it heard its deadline, and whether the context was cancelled by then. */
    private static final class Recording extends DeadlineTimer.Expiry {
        final CountDownLatch heard = new CountDownLatch(1);
        volatile Context.CancellableContext ctx;
        volatile Boolean cancelledWhenHeard;

        @Override
        protected void expired() {
            cancelledWhenHeard = ctx.isCancelled();
            heard.countDown();
        }
    }

    @Test
    void anExpiryHearsItsContextsDeadlineFirstAndNotAfterTheContextEnded() throws Exception {
        Recording expiry = new Recording();
        CountDownLatch cancelled = new CountDownLatch(1);
        expiry.ctx = Context.ROOT.withDeadlineAfter(50, TimeUnit.MILLISECONDS, expiry);
        expiry.ctx.addListener(c -> cancelled.countDown(), Runnable::run);
        assertThat(expiry.scheduled()).isTrue();
        assertThat(expiry.heard.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(cancelled.await(10, TimeUnit.SECONDS)).as("the context is cancelled at its deadline too").isTrue();
        assertThat(expiry.cancelledWhenHeard).as("told before the context's cancellation wakes anyone").isFalse();
        assertThat(expiry.ctx.getDeadline().isExpired()).isTrue();

        Recording ended = new Recording();
        ended.ctx = Context.ROOT.withDeadlineAfter(100, TimeUnit.MILLISECONDS, ended);
        ended.ctx.cancel(null); // the request ended first: its deadline task leaves the timer
        assertThat(ended.heard.await(500, TimeUnit.MILLISECONDS)).as("an ended context's deadline is not heard").isFalse();
        assertThatThrownBy(() -> ended.schedule(() -> { }, 1, TimeUnit.SECONDS))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("one deadline");
    }

    @Test
    void anExpiryWhoseContextTakesItsParentsEarlierDeadlineSchedulesNothing() {
        Context.CancellableContext parent = Context.ROOT.withDeadlineAfter(1, TimeUnit.HOURS, timer);
        try {
            Recording expiry = new Recording();
            Context.CancellableContext child = parent.withDeadlineAfter(2, TimeUnit.HOURS, expiry);
            assertThat(expiry.scheduled()).as("gRPC keeps the parent's earlier deadline and asks for no task").isFalse();
            assertThat(child.getDeadline()).isEqualTo(parent.getDeadline());
            child.cancel(null);
        } finally {
            parent.cancel(null);
        }
    }

    @Test
    void moreTasksThanOneSegmentHoldAllFireAndNoCancelledOneDoes() throws Exception {
        int n = 2_000; // the table starts with 256 slots: it must grow, from many threads at once
        Set<Integer> ran = ConcurrentHashMap.newKeySet();
        CountDownLatch fired = new CountDownLatch(n / 2);
        List<ScheduledFuture<?>> tasks = new CopyOnWriteArrayList<>(Collections.nCopies(n, null));
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                int k = i;
                threads.submit(() -> tasks.set(k, timer.schedule(() -> {
                    ran.add(k);
                    fired.countDown();
                }, 1000, TimeUnit.MILLISECONDS))); // long enough to schedule and cancel them all on a loaded machine
            }
        }
        for (int i = 1; i < n; i += 2) {
            assertThat(tasks.get(i).cancel(false)).as("task %d cancelled before it was due", i).isTrue();
        }
        assertThat(fired.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).hasSize(n / 2).allMatch(k -> k % 2 == 0);
        assertThat(tasks.get(0).isDone()).isTrue();
        assertThat(tasks.get(0).cancel(false)).as("a task that ran cannot be cancelled").isFalse();
    }

    @Test
    void slotsFreedByCancellingAreTakenAgainWhileDueTasksStillFire() throws Exception {
        // a keep-alive connection's requests: schedule, cancel, again, on the same threads, many times over
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 50; t++) {
                threads.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        assertThat(timer.schedule(() -> { }, 1, TimeUnit.HOURS).cancel(false)).isTrue();
                    }
                });
            }
        }
        CountDownLatch fired = new CountDownLatch(1);
        timer.schedule(fired::countDown, 10, TimeUnit.MILLISECONDS);
        assertThat(fired.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void pastTheTablesMostSlotsTasksWaitInOrderAndCanBeCancelled() throws Exception {
        // more deadlines pending at once than the table may hold (a burst with the concurrency limit off): the table
        // stops growing, and the rest are kept sorted apart — they still fire in due order, or leave when cancelled
        int max = DeadlineTimer.MAX_SEGMENTS * 256;
        List<ScheduledFuture<?>> filling = new CopyOnWriteArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 40; t++) {
                threads.submit(() -> {
                    for (int i = 0; i < (max + 2_000) / 40; i++) {
                        filling.add(timer.schedule(() -> { }, 1, TimeUnit.HOURS));
                    }
                });
            }
        }
        assertThat(timer.slots()).isEqualTo(max);
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(2);
        // due a second apart: a pause of this thread (a GC after the filling) must not bring the one to cancel due
        // before it is cancelled, nor "second" due before "first" is scheduled
        ScheduledFuture<?> cancelled = timer.schedule(() -> { ran.add("cancelled"); }, 1000, TimeUnit.MILLISECONDS);
        timer.schedule(() -> {
            ran.add("second");
            done.countDown();
        }, 2000, TimeUnit.MILLISECONDS);
        timer.schedule(() -> {
            ran.add("first");
            done.countDown();
        }, 1000, TimeUnit.MILLISECONDS);
        assertThat(cancelled.cancel(false)).isTrue();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).containsExactly("first", "second");
        for (ScheduledFuture<?> f : filling) {
            assertThat(f.cancel(false)).isTrue();
        }
        CountDownLatch again = new CountDownLatch(1);
        timer.schedule(again::countDown, 10, TimeUnit.MILLISECONDS); // in the emptied table
        assertThat(again.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aFailingTaskLosesNoOtherTaskDueWithIt() throws Exception {
        CountDownLatch others = new CountDownLatch(2);
        timer.schedule(others::countDown, 30, TimeUnit.MILLISECONDS);
        timer.schedule(DeadlineTimerTest::throwSneaky, 30, TimeUnit.MILLISECONDS); // a checked exception, unchecked
        Runnable failing = () -> {
            throw new IllegalStateException("a failing deadline task (expected in this test)");
        };
        timer.schedule(failing, 30, TimeUnit.MILLISECONDS);
        timer.schedule(others::countDown, 30, TimeUnit.MILLISECONDS);
        assertThat(others.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aTaskThatLeavesTheTimersThreadInterruptedDoesNotStopItWaiting() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        timer.schedule(() -> {
            Thread.currentThread().interrupt(); // the common "restore the interrupt" idiom, on the timer's thread
            interrupted.countDown();
        }, 1, TimeUnit.MILLISECONDS);
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
        Thread timerThread = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("chassis-deadlines")).findFirst().orElseThrow();
        // parked between looks again: an interrupt left set would make every park return at once, a busy loop
        // (core's tests cannot use the test kit's Eventually: the kit depends on core)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(timerThread.getState() == Thread.State.TIMED_WAITING && !timerThread.isInterrupted())) {
            assertThat(System.nanoTime() - deadline).as("the timer's thread waits again within 10 s").isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        CountDownLatch later = new CountDownLatch(1);
        timer.schedule(later::countDown, 20, TimeUnit.MILLISECONDS);
        assertThat(later.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aTaskThatRanIsDoneAndOneTooFarAwayIsStillAccepted() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        ScheduledFuture<?> task = timer.schedule(ran::countDown, 1, TimeUnit.MILLISECONDS);
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(task.isDone()).isTrue();
        assertThat(task.cancel(false)).isFalse();
        ScheduledFuture<?> never = timer.schedule(() -> { }, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        assertThat(never.getDelay(TimeUnit.DAYS)).isGreaterThan(365L * 70);
        assertThat(never.cancel(false)).isTrue();
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> void sneaky(Throwable e) throws E {
        throw (E) e;
    }

    private static void throwSneaky() {
        DeadlineTimerTest.<RuntimeException>sneaky(new IOException("a checked exception from a deadline task (expected)"));
    }

    @Test
    void whatADeadlineDoesNotNeedIsRefused() {
        assertThatThrownBy(() -> timer.scheduleAtFixedRate(() -> { }, 1, 1, TimeUnit.SECONDS))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> timer.schedule(() -> 1, 1, TimeUnit.SECONDS))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
