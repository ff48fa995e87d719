package dev.chassis.core.internal.overload;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.PlatformManagedObject;

/**
 * How many virtual threads wait for a carrier, per carrier: the virtual-thread scheduler's own count
 * ({@code jdk.management.VirtualThreadSchedulerMXBean}, JDK 24 or later), read when a request asks for a permit.
 * Unlike {@link SchedulerDelay}'s probe, whose wake-ups reach the scheduler through one submission queue of several
 * (the pool keeps one per submitting thread: the listener's new connections, the pollers' ready ones, the timers'),
 * the count covers them all: measured pinned to one CPU at 4× capacity, 14,000 virtual threads waited while the probe
 * ran on time and refused nothing. Thread-safe. Not API.
 */
final class SchedulerQueue {
    private static final String BEAN = "jdk.management.VirtualThreadSchedulerMXBean";
    private static volatile SchedulerQueue instance;
    private static volatile boolean unavailable;

    private final MethodHandle queued;
    private final MethodHandle parallelism;

    private SchedulerQueue(MethodHandle queued, MethodHandle parallelism) {
        this.queued = queued;
        this.parallelism = parallelism;
    }

    /** The JVM's scheduler count, or null when this JDK does not publish it (before JDK 24). */
    static SchedulerQueue get() {
        SchedulerQueue q = instance;
        if (q == null && !unavailable) {
            try {
                Class<? extends PlatformManagedObject> type = Class.forName(BEAN).asSubclass(PlatformManagedObject.class);
                Object bean = ManagementFactory.getPlatformMXBean(type);
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                q = new SchedulerQueue(
                        lookup.findVirtual(type, "getQueuedVirtualThreadCount", MethodType.methodType(long.class)).bindTo(bean),
                        lookup.findVirtual(type, "getParallelism", MethodType.methodType(int.class)).bindTo(bean));
                instance = q;
            } catch (ReflectiveOperationException | RuntimeException e) {
                unavailable = true;
            }
        }
        return q;
    }

    /** The virtual threads waiting to start or to continue, divided by the carriers. */
    long perCarrier() {
        try {
            return (long) queued.invokeExact() / carriers();
        } catch (Throwable e) {
            throw new IllegalStateException("the virtual-thread scheduler's count failed", e);
        }
    }

    /** How many carriers the scheduler runs virtual threads on at once (its parallelism), at least 1. */
    int carriers() {
        try {
            return Math.max(1, (int) parallelism.invokeExact());
        } catch (Throwable e) {
            throw new IllegalStateException("the virtual-thread scheduler's parallelism failed", e);
        }
    }

    /** Whether more than {@code max} virtual threads per carrier wait now. */
    boolean saturated(long max) {
        return perCarrier() > max;
    }
}
