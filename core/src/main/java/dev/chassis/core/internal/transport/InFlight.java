package dev.chassis.core.internal.transport;

import java.util.concurrent.atomic.LongAdder;

/**
 * The requests and calls a service is serving, HTTP and gRPC alike, and whether it drains: what the shutdown waits
 * for. Thread-safe; {@link #enter()} and {@link #exit()} are two adds on a {@link LongAdder}. Not API.
 */
public final class InFlight {
    private final LongAdder count = new LongAdder();
    private volatile boolean draining;

    /** A request or call starts. */
    public void enter() {
        count.increment();
    }

    /** ... and ends. */
    public void exit() {
        count.decrement();
    }

    /** Whether the service is draining: connections are closed after their answer, new streams refused. */
    public boolean draining() {
        return draining;
    }

    /** From now on the service drains. */
    public void drain() {
        draining = true;
    }

    /** Requests and calls that started and have not finished. */
    public long count() {
        return count.sum();
    }
}
