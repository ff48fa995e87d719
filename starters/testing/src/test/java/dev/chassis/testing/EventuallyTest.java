package dev.chassis.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class EventuallyTest {
    private static final Eventually LONG = Eventually.within(Duration.ofSeconds(30));
    private static final Eventually SHORT = Eventually.within(Duration.ofMillis(50));

    @Test
    void untilReturnsOnceTheConditionTurnsTrue() {
        AtomicInteger checks = new AtomicInteger();
        LONG.until("the third check", () -> checks.incrementAndGet() == 3);
        assertThat(checks).hasValue(3);
    }

    @Test
    void untilSeesAConditionAnotherThreadMakesTrue() throws InterruptedException {
        AtomicBoolean done = new AtomicBoolean();
        Thread other = Thread.ofPlatform().start(() -> done.set(true));
        LONG.until("the other thread done", done::get);
        other.join();
        assertThat(done).isTrue();
    }

    @Test
    void untilFailsAfterTheDeadlineNamingWhatItWaitedFor() {
        AtomicInteger checks = new AtomicInteger();
        assertThatThrownBy(() -> SHORT.until("the moon turned blue", () -> checks.incrementAndGet() < 0))
                .isInstanceOf(AssertionError.class)
                .hasMessage("timed out after 50 ms waiting until the moon turned blue");
        assertThat(checks.get()).as("polled more than once").isGreaterThan(1);
    }

    @Test
    void untilAssertedReturnsOnceTheAssertionPasses() {
        AtomicInteger checks = new AtomicInteger();
        LONG.untilAsserted(() -> assertThat(checks.incrementAndGet()).isEqualTo(3));
        assertThat(checks).hasValue(3);
    }

    @Test
    void untilAssertedPropagatesTheLastAssertionError() {
        AtomicInteger checks = new AtomicInteger();
        Throwable thrown = catchThrowable(() -> SHORT.untilAsserted(() -> {
            int n = checks.incrementAndGet();
            assertThat(n).as("check " + n).isNegative();
        }));
        String last = "[check " + checks.get() + "]";
        assertThat(checks.get()).as("polled more than once").isGreaterThan(1);
        assertThat(thrown).isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("timed out after 50 ms waiting until the assertion passed; last failure: ")
                .hasMessageContaining(last);
        assertThat(thrown.getCause()).isInstanceOf(AssertionError.class).hasMessageContaining(last);
    }

    @Test
    void untilAssertedDoesNotRetryOtherExceptions() {
        AtomicInteger checks = new AtomicInteger();
        assertThatThrownBy(() -> LONG.untilAsserted(() -> {
            checks.incrementAndGet();
            throw new IllegalStateException("broken");
        })).isInstanceOf(IllegalStateException.class).hasMessage("broken");
        assertThatThrownBy(() -> LONG.untilAsserted(() -> {
            checks.incrementAndGet();
            throw new IOException("unreadable");
        })).isInstanceOf(AssertionError.class).hasCauseInstanceOf(IOException.class);
        assertThat(checks).as("each ran once").hasValue(2);
    }

    @Test
    void getReturnsTheFirstAcceptedValue() {
        AtomicInteger counter = new AtomicInteger();
        assertThat(LONG.get("a value over 4", counter::incrementAndGet, n -> n > 4)).isEqualTo(5);
    }

    @Test
    void getFailsAfterTheDeadlineWithTheLastValue() {
        assertThatThrownBy(() -> SHORT.get("3 spans", () -> "[span-a]", s -> s.length() > 100))
                .isInstanceOf(AssertionError.class)
                .hasMessage("timed out after 50 ms waiting until 3 spans; last value: [span-a]");
    }

    @Test
    void anInterruptedWaitFailsAndKeepsTheInterrupt() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> LONG.until("never", () -> false))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("interrupted");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aTimeoutMustBePositive() {
        assertThatThrownBy(() -> Eventually.within(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be positive, but was PT0S");
        assertThatThrownBy(() -> Eventually.within(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
    }
}
