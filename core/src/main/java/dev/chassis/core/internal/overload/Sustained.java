package dev.chassis.core.internal.overload;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * A saturation check that acts only on a queue that lasts, after CoDel (a queue that stays above its target for an
 * interval is a standing queue; one that empties within it is a burst, which a queue is there to absorb). Asked as
 * each request arrives: it starts refusing once the check has seen the queue above its bound for {@code interval}
 * without a look below it; from then on it refuses whenever the queue is above the bound, as the bare check does;
 * and it stops once the queue has stayed at or below the bound for {@code interval}, so that the next burst is let
 * through again. A queue that is above the bound only between two looks is not seen: at the request rates where the
 * scheduler's queue grows, looks are far more frequent than an interval. Thread-safe (racing looks may each start
 * the interval; no look waits). Not API.
 */
final class Sustained implements BooleanSupplier {
    private static final long NEVER = Long.MIN_VALUE;

    private final BooleanSupplier above;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    /** When the current run of looks above the bound began, or {@link #NEVER} when the last look was below it. */
    private volatile long aboveSince = NEVER;
    /** When a look last saw the queue above the bound. */
    private volatile long lastAbove = NEVER;
    private volatile boolean refusing;

    /**
     * @param above         whether the queue is above its bound now
     * @param intervalNanos how long it must stay above before refusing, and below before admitting again
     * @param nanoClock     {@link System#nanoTime()} but in tests
     */
    Sustained(BooleanSupplier above, long intervalNanos, LongSupplier nanoClock) {
        this.above = above;
        this.intervalNanos = intervalNanos;
        this.nanoClock = nanoClock;
    }

    @Override
    public boolean getAsBoolean() {
        boolean over = above.getAsBoolean();
        long now = nanoClock.getAsLong();
        if (over) {
            lastAbove = now;
            if (refusing) {
                return true;
            }
            long since = aboveSince;
            if (since == NEVER) {
                aboveSince = now;
                since = now;
            }
            if (now - since >= intervalNanos) {
                refusing = true;
                return true;
            }
            return false;
        }
        if (aboveSince != NEVER) {
            aboveSince = NEVER;
        }
        if (refusing && now - lastAbove >= intervalNanos) {
            refusing = false;
        }
        return false;
    }
}
