package dev.chassis.core.internal.shared;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * One interrupt of one thread, from another thread (a deadline's timer, a cancellation listener), that the interrupted
 * thread can take back: once {@link #disarm()} returns, no interrupt from this handle is pending or can still arrive.
 * A plain {@code thread.interrupt()} from a listener can land after the thread has finished what it was interrupted
 * for — a request thread back in Helidon then fails its next read, or its next request's handler is interrupted (the
 * next request on a keep-alive connection runs on the same virtual thread). The two sides race for the handle with one
 * compare-and-set; when the interrupting side wins, {@code disarm} waits for the interrupt to be delivered (a few
 * instructions, even if {@code interrupt()} throws) and clears it. Thread-safe. Not API.
 */
public final class Interrupter {
    private static final int ARMED = 0;
    private static final int INTERRUPTING = 1;
    private static final int DELIVERED = 2;
    private static final int DISARMED = 3;
    private static final int CLEARED = 4;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Interrupter.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Thread thread;
    private volatile int state = ARMED;
    /** Why it interrupted (the caller's code, not 0), set before the interrupt; 0 while it has not. */
    private volatile int reason;

    /** @param thread the thread to interrupt: the one that will call {@link #disarm()} */
    public Interrupter(Thread thread) {
        this.thread = thread;
    }

    /**
     * Interrupts the thread, unless it was interrupted by this handle already or has disarmed it.
     *
     * @param why what {@link #reason()} says afterwards; not 0
     * @return whether this call interrupted the thread
     */
    public boolean interrupt(int why) {
        if (!STATE.compareAndSet(this, ARMED, INTERRUPTING)) {
            return false;
        }
        reason = why;
        try {
            thread.interrupt();
        } finally {
            state = DELIVERED; // also when interrupt() threw: disarm() must never wait for ever
        }
        return true;
    }

    /** Why the thread was interrupted ({@link #interrupt(int)}'s argument), or 0 when it was not. */
    public int reason() {
        return reason;
    }

    /**
     * Called by the thread itself when it is done with what the interrupt was for: no interrupt from this handle
     * arrives after this returns, and one it delivered is cleared.
     *
     * Calling it again does nothing more (an interrupt from elsewhere since is left alone).
     *
     * @return whether this handle had interrupted the thread
     */
    public boolean disarm() {
        for (int spins = 0; ; spins++) {
            int s = state;
            if (s == ARMED && STATE.compareAndSet(this, ARMED, DISARMED) || s == DISARMED) {
                return false;
            }
            if (s == CLEARED) {
                return true;
            }
            if (s == DELIVERED) {
                state = CLEARED;
                if (Thread.currentThread() == thread) { // only the interrupted thread can clear its interrupt
                    Thread.interrupted();
                }
                return true;
            }
            if (spins < 100) {
                Thread.onSpinWait(); // the other side is between its compare-and-set and the interrupt
            } else {
                LockSupport.parkNanos(10_000); // descheduled there: give the CPU (a virtual thread its carrier) back
            }
        }
    }
}
