package dev.chassis.core.internal.overload;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Whether the virtual-thread scheduler is saturated: a virtual thread of its own wakes every {@link #TICK} and notes
 * how late it ran; when that lateness, smoothed over the last ticks, exceeds the configured delay, runnable work is
 * queued behind the carriers, and new requests are refused rather than queued behind it. Smoothed, so that one
 * stall of the whole process (a GC pause, the OS not scheduling it) does not refuse requests: only a queue that
 * stays does. A concurrency limit alone
 * cannot see this queue: with CPU-bound handlers, requests wait for a carrier <em>before</em> they reach the limit,
 * so in flight stays near the number of CPUs while latency grows without bound (measured by bench-overload.sh).
 * This is the event-loop-delay idea of Node's and Fastify's under-pressure, applied to the carriers. One per JVM,
 * as the scheduler is. Thread-safe. Not API.
 */
final class SchedulerDelay {
    /** How often the probe thread asks to run. */
    static final Duration TICK = Duration.ofMillis(10);
    private static volatile SchedulerDelay instance;

    /** How late the probe ran, smoothed (exponentially, a quarter weight to each new tick), in nanoseconds. */
    private volatile long smoothedDelay;

    private SchedulerDelay() {
    }

    /** The JVM's probe, started on first use. */
    static SchedulerDelay get() {
        SchedulerDelay d = instance;
        if (d == null) {
            synchronized (SchedulerDelay.class) { // no I/O inside: the probe's thread is only started
                d = instance;
                if (d == null) {
                    d = new SchedulerDelay();
                    SchedulerDelay probe = d;
                    Thread.ofVirtual().name("chassis-scheduler-delay").start(probe::run);
                    instance = d;
                }
            }
        }
        return d;
    }

    private void run() {
        long tick = TICK.toNanos();
        while (true) {
            long before = System.nanoTime();
            LockSupport.parkNanos(tick);
            long now = System.nanoTime();
            long late = Math.max(0, now - before - tick);
            smoothedDelay = smoothedDelay - (smoothedDelay >> 2) + (late >> 2);
        }
    }

    /** Whether the probe has been running late by more than {@code maxNanos}, smoothed over its last ticks. */
    boolean saturated(long maxNanos) {
        return smoothedDelay > maxNanos;
    }
}
