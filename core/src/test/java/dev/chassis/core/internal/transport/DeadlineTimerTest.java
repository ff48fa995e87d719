package dev.chassis.core.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.grpc.Context;

class DeadlineTimerTest {
    private final DeadlineTimer timer = DeadlineTimer.get();

    @Test
    void tasksRunInTheOrderTheyAreDueAndACancelledOneNever() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        timer.schedule(() -> {
            ran.add("last");
            done.countDown();
        }, 300, TimeUnit.MILLISECONDS);
        ScheduledFuture<?> cancelled = timer.schedule(() -> { ran.add("cancelled"); }, 100, TimeUnit.MILLISECONDS);
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

    @Test
    void whatADeadlineDoesNotNeedIsRefused() {
        assertThatThrownBy(() -> timer.scheduleAtFixedRate(() -> { }, 1, 1, TimeUnit.SECONDS))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> timer.schedule(() -> 1, 1, TimeUnit.SECONDS))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
