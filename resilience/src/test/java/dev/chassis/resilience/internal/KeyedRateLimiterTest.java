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
    void aFullTableForgetsIdleClientsOnceAPeriodAndOtherwiseMakesNewClientsShareOneLimit() {
        KeyedRateLimiter limiter = limiter(1, 2);
        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("b")).isZero();
        assertThat(limiter.tracked()).isEqualTo(2);
        // full, and both still active in this period: c and d share the overflow limit
        assertThat(limiter.acquire("c")).isZero();
        assertThat(limiter.acquire("d")).isPositive();
        assertThat(limiter.acquire("e")).isPositive();
        assertThat(limiter.tracked()).isEqualTo(2);
        // a tracked client keeps its own limit meanwhile
        assertThat(limiter.acquire("a")).isPositive();

        now.addAndGet(SECOND);
        assertThat(limiter.acquire("a")).as("a calls again in the new period").isZero();
        assertThat(limiter.acquire("c")).as("b was idle: forgotten, and c gets its place").isZero();
        assertThat(limiter.tracked()).isEqualTo(2);
        assertThat(limiter.acquire("c")).isPositive();
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
