package dev.chassis.core.internal.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import com.netflix.concurrency.limits.Limit;

class SampledTest {
    /** A limit whose first sample blocks until released, counting the samples it got. */
    static final class Blocking implements Limit {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger samples = new AtomicInteger();

        @Override
        public int getLimit() {
            return 7;
        }

        @Override
        public void notifyOnChange(Consumer<Integer> consumer) {
        }

        @Override
        public void onSample(long startTime, long rtt, int inflight, boolean didDrop) {
            if (samples.incrementAndGet() == 1) {
                entered.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Test
    void aSampleArrivingWhileAnotherIsAppliedIsDroppedNotWaitedFor() throws Exception {
        Blocking inner = new Blocking();
        Sampled sampled = new Sampled(inner);
        Thread first = Thread.ofVirtual().start(() -> sampled.onSample(0, 1, 1, false));
        assertThat(inner.entered.await(10, TimeUnit.SECONDS)).isTrue();
        sampled.onSample(0, 1, 1, false); // returns at once: the first holds the limit
        assertThat(inner.samples).hasValue(1);
        inner.release.countDown();
        first.join();
        sampled.onSample(0, 1, 1, false);
        assertThat(inner.samples).hasValue(2);
        assertThat(sampled.getLimit()).isEqualTo(7);
    }
}
