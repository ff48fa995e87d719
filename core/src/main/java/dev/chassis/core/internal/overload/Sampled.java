package dev.chassis.core.internal.overload;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import com.netflix.concurrency.limits.Limit;

/**
 * An adaptive limit fed one sample at a time, dropping the samples that arrive while another is being applied.
 * Gradient2 and Vegas update under their monitor on every finished request; under a saturated virtual-thread
 * scheduler a request that finds the monitor taken parks and is woken at the back of the scheduler's queue, seconds
 * later, still holding its concurrency permit (seen in a thread dump of {@code bench-overload.sh} at 4x). Both
 * algorithms smooth their samples over many requests, so skipping some costs nothing they need. Not API.
 */
final class Sampled implements Limit {
    private final Limit limit;
    private final ReentrantLock lock = new ReentrantLock();

    Sampled(Limit limit) {
        this.limit = limit;
    }

    @Override
    public int getLimit() {
        return limit.getLimit();
    }

    @Override
    public void notifyOnChange(Consumer<Integer> consumer) {
        limit.notifyOnChange(consumer);
    }

    @Override
    public void onSample(long startTime, long rtt, int inflight, boolean didDrop) {
        if (lock.tryLock()) {
            try {
                limit.onSample(startTime, rtt, inflight, didDrop);
            } finally {
                lock.unlock();
            }
        }
    }
}
