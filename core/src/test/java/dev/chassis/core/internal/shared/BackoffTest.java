package dev.chassis.core.internal.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final Duration MS_100 = Duration.ofMillis(100);

    /** A generator that always returns the same double: pins a jittered delay to one point of its range. */
    private static RandomGenerator always(double value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public double nextDouble() {
                return value;
            }
        };
    }

    @Test
    void doublesFromTheInitialDelayUpToTheCap() {
        Backoff b = Backoff.exponential(MS_100, Duration.ofSeconds(1));
        assertThat(b.delay(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(b.delay(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(b.delay(3)).isEqualTo(Duration.ofMillis(400));
        assertThat(b.delay(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(b.delay(5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(b.delay(6)).isEqualTo(Duration.ofSeconds(1));
        assertThat(b.delayMillis(3)).isEqualTo(400);
        assertThat(b.delayNanos(2)).isEqualTo(200_000_000L);
    }

    @Test
    void capIsExactWhenTheDoublingJustPassesIt() {
        Backoff b = Backoff.exponential(Duration.ofNanos(2), Duration.ofNanos(7));
        assertThat(b.delayNanos(1)).isEqualTo(2);
        assertThat(b.delayNanos(2)).isEqualTo(4);
        assertThat(b.delayNanos(3)).isEqualTo(7);
        Backoff exact = Backoff.exponential(Duration.ofNanos(1), Duration.ofNanos(8));
        assertThat(exact.delayNanos(4)).isEqualTo(8);
    }

    @Test
    void largeAttemptNumbersStayAtTheCapWithoutOverflow() {
        Backoff b = Backoff.exponential(Duration.ofMillis(1), Duration.ofMinutes(1));
        for (int attempt : new int[] {30, 62, 63, 64, 65, 1000, Integer.MAX_VALUE}) {
            assertThat(b.delay(attempt)).as("attempt %d", attempt).isEqualTo(Duration.ofMinutes(1));
        }
        Backoff huge = Backoff.exponential(Duration.ofDays(365 * 100), Duration.ofDays(365 * 200));
        assertThat(huge.delayNanos(Integer.MAX_VALUE)).isEqualTo(Duration.ofDays(365 * 200).toNanos());
    }

    @Test
    void durationsBeyondNanosecondRangeSaturate() {
        Backoff forever = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(Long.MAX_VALUE));
        assertThat(forever.max()).isEqualTo(Duration.ofNanos(Long.MAX_VALUE));
        assertThat(forever.delayNanos(Integer.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertThat(forever.delay(3)).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void fixedWaitsTheSameEveryTime() {
        Backoff b = Backoff.fixed(Duration.ofSeconds(5));
        assertThat(b.delay(1)).isEqualTo(Duration.ofSeconds(5));
        assertThat(b.delay(50)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void zeroDelayStaysZeroEvenWithJitter() {
        Backoff b = Backoff.exponential(Duration.ZERO, Duration.ZERO).withJitter(1);
        assertThat(b.delayNanos(7, always(0.5))).isZero();
        assertThat(Backoff.exponential(Duration.ZERO, Duration.ofSeconds(1)).delay(40)).isZero();
    }

    @Test
    void fullJitterSpansFromZeroToTheDelay() {
        Backoff b = Backoff.exponential(MS_100, Duration.ofSeconds(1)).withJitter(1);
        assertThat(b.delayNanos(2, always(0))).isEqualTo(200_000_000L);
        assertThat(b.delayNanos(2, always(0.5))).isEqualTo(100_000_000L);
        assertThat(b.delayNanos(2, always(Math.nextDown(1.0)))).isBetween(0L, 1L);
    }

    @Test
    void equalJitterKeepsAtLeastHalf() {
        Backoff b = Backoff.exponential(MS_100, Duration.ofSeconds(1)).withJitter(0.5);
        assertThat(b.delayNanos(1, always(0))).isEqualTo(100_000_000L);
        assertThat(b.delayNanos(1, always(Math.nextDown(1.0)))).isBetween(50_000_000L, 50_000_001L);
    }

    @Test
    void jitteredDelaysStayInTheirRangeAndNeverPassTheCap() {
        Backoff b = Backoff.exponential(MS_100, Duration.ofSeconds(1)).withJitter(0.3);
        SplittableRandom random = new SplittableRandom(42);
        long lowest = Long.MAX_VALUE;
        long highest = 0;
        for (int i = 0; i < 10_000; i++) {
            int attempt = 1 + i % 8;
            long d = b.delayNanos(attempt, random);
            long full = Math.min(100_000_000L << (attempt - 1), 1_000_000_000L);
            assertThat(d).as("attempt %d", attempt).isBetween((long) (full * 0.7), full);
            if (attempt >= 5) {
                lowest = Math.min(lowest, d);
                highest = Math.max(highest, d);
            }
        }
        // the draws cover the range rather than sitting on one point
        assertThat(lowest).isLessThan(750_000_000L);
        assertThat(highest).isGreaterThan(950_000_000L);
    }

    @Test
    void sameSeedSameDelays() {
        Backoff b = Backoff.exponential(MS_100, Duration.ofSeconds(10)).withJitter(1);
        SplittableRandom one = new SplittableRandom(7);
        SplittableRandom two = new SplittableRandom(7);
        for (int attempt = 1; attempt < 20; attempt++) {
            assertThat(b.delayNanos(attempt, one)).isEqualTo(b.delayNanos(attempt, two));
        }
    }

    @Test
    void withJitterLeavesTheOriginalUnchanged() {
        Backoff plain = Backoff.exponential(MS_100, Duration.ofSeconds(1));
        Backoff jittered = plain.withJitter(1);
        assertThat(plain.jitter()).isZero();
        assertThat(jittered.jitter()).isEqualTo(1);
        assertThat(jittered.initial()).isEqualTo(MS_100);
        assertThat(jittered.max()).isEqualTo(Duration.ofSeconds(1));
        assertThat(plain.delay(3)).isEqualTo(Duration.ofMillis(400));
        assertThat(jittered.delay(3)).isBetween(Duration.ZERO, Duration.ofMillis(400));
        assertThat(jittered).hasToString("Backoff[initial=PT0.1S, max=PT1S, jitter=1.0]");
    }

    @Test
    void badArgumentsAreRefusedWithTheValue() {
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofMillis(-1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("initial must not be negative, but was PT-0.001S");
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max must be at least initial (PT2S), but was PT1S");
        assertThatThrownBy(() -> Backoff.exponential(null, Duration.ofSeconds(1)))
                .isInstanceOf(NullPointerException.class).hasMessage("initial");
        assertThatThrownBy(() -> Backoff.exponential(MS_100, null))
                .isInstanceOf(NullPointerException.class).hasMessage("max");
        assertThatThrownBy(() -> Backoff.fixed(null))
                .isInstanceOf(NullPointerException.class).hasMessage("delay");
        Backoff b = Backoff.exponential(MS_100, Duration.ofSeconds(1));
        for (double rate : new double[] {-0.1, 1.5, Double.NaN}) {
            assertThatThrownBy(() -> b.withJitter(rate))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("jitter rate must be between 0 and 1, but was " + rate);
        }
        assertThatThrownBy(() -> b.delay(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("attempt must be at least 1, but was 0");
        assertThatThrownBy(() -> b.delayNanos(-3, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("attempt must be at least 1, but was -3");
        assertThatThrownBy(() -> b.withJitter(0.5).delayNanos(1, null))
                .isInstanceOf(NullPointerException.class).hasMessage("random");
    }
}
