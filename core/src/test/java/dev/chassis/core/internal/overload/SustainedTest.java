package dev.chassis.core.internal.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The interval a queue must last before it refuses, on a controlled clock and a queue the test sets. */
class SustainedTest {
    private static final long INTERVAL = TimeUnit.MILLISECONDS.toNanos(100);
    private final AtomicLong clock = new AtomicLong(123_456_789L);
    private final AtomicBoolean above = new AtomicBoolean();
    private final Sustained check = new Sustained(above::get, INTERVAL, clock::get);

    @Test
    void aBurstShorterThanTheIntervalIsNeverRefused() {
        assertThat(look(0, false)).isFalse();
        assertThat(look(10, true)).as("the queue just went above its bound").isFalse();
        assertThat(look(50, true)).isFalse();
        assertThat(look(49, true)).as("1 ms short of the interval").isFalse();
        assertThat(look(1, false)).as("it drained").isFalse();
        assertThat(look(1, true)).as("a new burst starts its own interval").isFalse();
        assertThat(look(99, true)).isFalse();
    }

    @Test
    void aQueueThatLastsRefusesWhileItIsAboveAndAdmitsOnceItHasStayedBelow() {
        assertThat(look(0, true)).isFalse();
        assertThat(look(100, true)).as("above for the whole interval").isTrue();
        assertThat(look(5, true)).isTrue();
        assertThat(look(5, false)).as("refusing: a look below the bound is admitted").isFalse();
        assertThat(look(5, true)).as("refusing: above again, refused at once").isTrue();
        assertThat(look(50, false)).isFalse();
        assertThat(look(49, false)).isFalse();
        assertThat(look(1, false)).as("below for the interval: no longer refusing").isFalse();
        assertThat(look(1, true)).as("the next rise has to last again").isFalse();
        assertThat(look(99, true)).isFalse();
        assertThat(look(1, true)).isTrue();
    }

    @Test
    void aZeroIntervalRefusesAsSoonAsTheQueueIsAbove() {
        Sustained now = new Sustained(above::get, 0, clock::get);
        above.set(true);
        assertThat(now.getAsBoolean()).isTrue();
        above.set(false);
        assertThat(now.getAsBoolean()).isFalse();
    }

    /** Moves the clock by {@code millis}, sets the queue above or not, and asks. */
    private boolean look(long millis, boolean isAbove) {
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
        above.set(isAbove);
        return check.getAsBoolean();
    }
}
