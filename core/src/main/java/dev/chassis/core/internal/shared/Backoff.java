package dev.chassis.core.internal.shared;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * How long to wait before the n-th try again: exponential (the initial delay, doubled for each further attempt) up to
 * a cap, optionally with jitter. Immutable and thread-safe; one instance can serve any number of loops.
 *
 * <p>Jitter takes a random share off each delay: with a rate {@code r}, the delay for an attempt is drawn uniformly
 * from {@code [d × (1 − r), d]}, where {@code d} is the capped exponential delay. A rate of {@code 1} is "full jitter"
 * (anywhere from zero to {@code d}), {@code 0.5} is "equal jitter" (at least half of {@code d}), {@code 0} (the
 * default) none. A delay never exceeds the cap, and never overflows however large the attempt number.
 *
 * <p>Not API: see the package documentation.
 */
public final class Backoff {
    private final long initialNanos;
    private final long maxNanos;
    private final double jitter;

    private Backoff(long initialNanos, long maxNanos, double jitter) {
        this.initialNanos = initialNanos;
        this.maxNanos = maxNanos;
        this.jitter = jitter;
    }

    /**
     * A back-off without jitter whose first delay is {@code initial}, doubled for each further attempt, never more than
     * {@code max}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code initial} is negative, or {@code max} is shorter than {@code initial}
     */
    public static Backoff exponential(Duration initial, Duration max) {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative()) {
            throw new IllegalArgumentException("initial must not be negative, but was " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max must be at least initial (" + initial + "), but was " + max);
        }
        return new Backoff(saturatedNanos(initial), saturatedNanos(max), 0);
    }

    /**
     * A back-off that waits {@code delay} before every attempt (an exponential one whose cap is its first delay).
     *
     * @throws NullPointerException if {@code delay} is null
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    public static Backoff fixed(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        return exponential(delay, delay);
    }

    /**
     * This back-off with the given jitter rate: each delay is drawn uniformly from {@code [d × (1 − rate), d]}.
     *
     * @param rate from 0 (no jitter) to 1 (full jitter); 0.5 is equal jitter
     * @throws IllegalArgumentException if {@code rate} is not between 0 and 1
     */
    public Backoff withJitter(double rate) {
        if (!(rate >= 0 && rate <= 1)) { // also refuses NaN
            throw new IllegalArgumentException("jitter rate must be between 0 and 1, but was " + rate);
        }
        return new Backoff(initialNanos, maxNanos, rate);
    }

    /** The first delay, before any jitter. */
    public Duration initial() {
        return Duration.ofNanos(initialNanos);
    }

    /** The cap: no delay is longer. */
    public Duration max() {
        return Duration.ofNanos(maxNanos);
    }

    /** The jitter rate, from 0 (none) to 1 (full). */
    public double jitter() {
        return jitter;
    }

    /**
     * The delay before the given attempt, with jitter drawn from the current thread's random generator.
     *
     * @param attempt 1 for the first time something is tried again, 2 for the second, and so on
     * @throws IllegalArgumentException if {@code attempt} is less than 1
     */
    public Duration delay(int attempt) {
        return Duration.ofNanos(delayNanos(attempt));
    }

    /** {@link #delay(int)} in nanoseconds. */
    public long delayNanos(int attempt) {
        return delayNanos(attempt, jitter == 0 ? null : ThreadLocalRandom.current());
    }

    /** {@link #delay(int)} in milliseconds (rounded down). */
    public long delayMillis(int attempt) {
        return delayNanos(attempt) / 1_000_000;
    }

    /**
     * {@link #delay(int)} in nanoseconds, with jitter drawn from {@code random} (which may be null when there is no
     * jitter).
     *
     * @throws IllegalArgumentException if {@code attempt} is less than 1
     * @throws NullPointerException if this back-off has jitter and {@code random} is null
     */
    public long delayNanos(int attempt, RandomGenerator random) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be at least 1, but was " + attempt);
        }
        long d = capped(attempt);
        if (jitter == 0 || d == 0) {
            return d;
        }
        Objects.requireNonNull(random, "random");
        return d - (long) (d * jitter * random.nextDouble());
    }

    private long capped(int attempt) {
        int doublings = attempt - 1;
        if (initialNanos == 0) {
            return 0;
        }
        // initial × 2^doublings > max, written so that nothing overflows
        if (doublings >= Long.SIZE - 1 || initialNanos > (maxNanos >> doublings)) {
            return maxNanos;
        }
        return Math.min(maxNanos, initialNanos << doublings);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE; // about 292 years: as good as forever
        }
    }

    @Override
    public String toString() {
        return "Backoff[initial=" + initial() + ", max=" + max() + ", jitter=" + jitter + "]";
    }
}
