package dev.chassis.resilience.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The per-client limiter on a clock the test moves: periods, independence of clients, and its bounded table. */
class KeyedRateLimiterTest {
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(5 * SECOND);

    private KeyedRateLimiter limiter(int limit, int maxKeys) {
        return new KeyedRateLimiter("handler:test", limit, Duration.ofSeconds(1), maxKeys, now::get);
    }

    @Test
    void eachClientHasItsOwnLimitForAPeriodAndIsToldWhenTheNextStarts() {
        KeyedRateLimiter limiter = limiter(2, 100);
        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isZero();
        now.addAndGet(300_000_000L);
        assertThat(limiter.acquire("a")).isEqualTo(700_000_000L);
        assertThat(limiter.acquire("b")).as("another client").isZero();
        now.addAndGet(700_000_000L);
        assertThat(limiter.acquire("a")).as("the next period").isZero();
        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isPositive();
    }

    @Test
    void aFullTableForgetsClientsIdleForAWholePeriodAndOtherwiseSpreadsNewClientsOverSharedLimits() {
        KeyedRateLimiter limiter = limiter(1, 2);
        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("b")).isZero();
        assertThat(limiter.tracked()).isEqualTo(2);
        // full: new clients get a shared limit (one of the overflow buckets), never a place of their own
        int refused = 0;
        for (int i = 0; i < 1000; i++) {
            refused += limiter.acquire("new-" + i) > 0 ? 1 : 0;
        }
        assertThat(refused).as("1000 new clients over %d shared limits of 1", KeyedRateLimiter.OVERFLOW_BUCKETS)
                .isGreaterThanOrEqualTo(1000 - KeyedRateLimiter.OVERFLOW_BUCKETS);
        assertThat(limiter.tracked()).isEqualTo(2);
        assertThat(limiter.acquire("a")).as("a tracked client keeps its own limit").isPositive();

        now.addAndGet(SECOND); // period 1: a calls, b does not; a flood of new clients evicts neither
        assertThat(limiter.acquire("a")).isZero();
        for (int i = 0; i < 1000; i++) {
            limiter.acquire("flood-" + i);
        }
        assertThat(limiter.tracked()).isEqualTo(2);
        assertThat(limiter.acquire("a")).isPositive();

        now.addAndGet(SECOND); // period 2: b made no call in the whole of period 1, so it is forgotten; a is kept
        assertThat(limiter.acquire("c")).as("c gets b's place").isZero();
        assertThat(limiter.acquire("c")).isPositive();
        assertThat(limiter.tracked()).isEqualTo(2);
        assertThat(limiter.acquire("a")).isZero();
    }

    @Test
    void aCallThatReadTheClockJustBeforeAPeriodEndedDoesNotReopenTheOldPeriod() {
        KeyedRateLimiter limiter = limiter(2, 10);
        now.set(7 * SECOND);
        assertThat(limiter.acquire("a")).isZero(); // start is 5 s: period 2
        now.set(7 * SECOND - 1); // a thread that read the clock a nanosecond earlier (period 1) counts in period 2
        assertThat(limiter.acquire("a")).isZero();
        now.set(7 * SECOND);
        assertThat(limiter.acquire("a")).as("period 2 is full: two calls").isPositive();
        now.set(7 * SECOND - 1);
        assertThat(limiter.acquire("a")).as("and the late thread is told when period 3 begins").isEqualTo(SECOND + 1);
    }

    @Test
    void manyConcurrentCallersOfOneClientGetExactlyTheLimit() throws Exception {
        KeyedRateLimiter limiter = limiter(1000, 10);
        AtomicLong allowed = new AtomicLong();
        Thread[] threads = new Thread[8];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 500; i++) {
                    if (limiter.acquire("a") == 0) {
                        allowed.incrementAndGet();
                    }
                }
            });
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(allowed).hasValue(1000);
    }

    @Test
    void aLimitBeyondWhatAWindowCountsIsRefused() {
        assertThatThrownBy(() -> limiter(3_000_000, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> limiter(0, 10)).isInstanceOf(IllegalArgumentException.class);
    }
}
