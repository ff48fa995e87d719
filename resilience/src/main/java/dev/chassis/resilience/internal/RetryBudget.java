package dev.chassis.resilience.internal;

import java.time.Clock;

/**
 * Limits retries to a share of the requests to a target over the last ten seconds, plus a small floor,
 * so that a failing target gets at most {@code (1 + ratio)} times its normal load (Finagle's retry
 * budget). Thread-safe; the lock guards a few counters and is never held across I/O. Not API.
 */
final class RetryBudget {
    private static final int WINDOW_SECONDS = 10;

    private final double ratio;
    private final int minPerSecond;
    private final Clock clock;
    private final long[] requests = new long[WINDOW_SECONDS];
    private final long[] retries = new long[WINDOW_SECONDS];
    private long currentSecond = Long.MIN_VALUE;

    RetryBudget(double ratio, int minPerSecond, Clock clock) {
        this.ratio = ratio;
        this.minPerSecond = minPerSecond;
        this.clock = clock;
    }

    /** Counts a call (its first attempt). */
    synchronized void recordRequest() {
        requests[slot()]++;
    }

    /** Takes one retry from the budget, or answers false when it is spent. */
    synchronized boolean tryAcquireRetry() {
        int slot = slot();
        long req = 0;
        long ret = 0;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            req += requests[i];
            ret += retries[i];
        }
        if (ret + 1 > (long) minPerSecond * WINDOW_SECONDS + ratio * req) {
            return false;
        }
        retries[slot]++;
        return true;
    }

    /** The retries the budget allows now (what is left of it over the last ten seconds). */
    synchronized long remaining() {
        slot();
        long req = 0;
        long ret = 0;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            req += requests[i];
            ret += retries[i];
        }
        return Math.max(0, (long) Math.floor(minPerSecond * (double) WINDOW_SECONDS + ratio * req) - ret);
    }

    private int slot() {
        long second = Math.floorDiv(clock.millis(), 1000);
        if (second > currentSecond) {
            long gap = currentSecond == Long.MIN_VALUE ? WINDOW_SECONDS : Math.min(WINDOW_SECONDS, second - currentSecond);
            for (long s = 0; s < gap; s++) {
                int i = Math.floorMod(second - s, WINDOW_SECONDS);
                requests[i] = 0;
                retries[i] = 0;
            }
            currentSecond = second;
        }
        return Math.floorMod(second, WINDOW_SECONDS);
    }
}
