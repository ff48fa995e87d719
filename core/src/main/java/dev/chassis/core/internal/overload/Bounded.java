package dev.chassis.core.internal.overload;

import java.util.function.Consumer;

import com.netflix.concurrency.limits.Limit;

/** A limit that never reports less than a floor: Vegas has a maximum but no minimum of its own. Not API. */
final class Bounded implements Limit {
    private final Limit limit;
    private final int min;

    Bounded(Limit limit, int min) {
        this.limit = limit;
        this.min = min;
    }

    @Override
    public int getLimit() {
        return Math.max(min, limit.getLimit());
    }

    @Override
    public void notifyOnChange(Consumer<Integer> consumer) {
        limit.notifyOnChange(l -> consumer.accept(Math.max(min, l)));
    }

    /** The limit within. */
    Limit limit() {
        return limit;
    }

    @Override
    public void onSample(long startTime, long rtt, int inflight, boolean didDrop) {
        limit.onSample(startTime, rtt, inflight, didDrop);
    }
}
