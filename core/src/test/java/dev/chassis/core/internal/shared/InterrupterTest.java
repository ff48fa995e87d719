package dev.chassis.core.internal.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class InterrupterTest {
    @Test
    void anInterruptThatCameIsClearedByDisarming() {
        Interrupter interrupter = new Interrupter(Thread.currentThread());
        assertThat(interrupter.interrupt(7)).isTrue();
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
        assertThat(interrupter.reason()).isEqualTo(7);
        assertThat(interrupter.interrupt(8)).as("once").isFalse();
        assertThat(interrupter.disarm()).isTrue();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(interrupter.reason()).isEqualTo(7);
    }

    @Test
    void anInterruptThatComesAfterDisarmingNeverArrives() throws Exception {
        // the listener that runs late: after the thread has finished what it would have been interrupted for
        Interrupter interrupter = new Interrupter(Thread.currentThread());
        assertThat(interrupter.disarm()).isFalse();
        Thread late = Thread.ofPlatform().start(() -> interrupter.interrupt(1));
        late.join();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(interrupter.reason()).isZero();
    }

    @Test
    void racingSidesNeverLeaveAnInterruptBehind() throws Exception {
        // many races between the interrupting side and the thread's end: whoever wins, nothing is left set after it
        for (int i = 0; i < 2_000; i++) {
            CountDownLatch done = new CountDownLatch(1);
            boolean[] leftInterrupted = new boolean[1];
            Interrupter[] holder = new Interrupter[1];
            CountDownLatch armed = new CountDownLatch(1);
            Thread worker = Thread.ofVirtual().start(() -> {
                holder[0] = new Interrupter(Thread.currentThread());
                armed.countDown();
                Thread.onSpinWait();
                holder[0].disarm();
                leftInterrupted[0] = Thread.currentThread().isInterrupted();
                done.countDown();
            });
            armed.await();
            holder[0].interrupt(1);
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            worker.join();
            assertThat(leftInterrupted[0]).as("round %d", i).isFalse();
        }
    }
}
