package dev.chassis.core.spi;

/**
 * One invocation of a handler or client method, passed down a chain of {@link Invocation}s. Created by Chassis per
 * call (tests make one with {@link #of}); not thread-safe (a call runs on one thread at a time).
 */
public interface Call {
    /**
     * A call of {@code site} with these arguments, as Chassis creates one for each invocation: for tests of
     * {@link CallDecorator}s.
     *
     * @param idempotent whether retrying it is safe
     */
    static Call of(CallSite site, Object[] args, boolean idempotent) {
        return new PlainCall(site, args, idempotent);
    }

    /** Where this call goes. */
    CallSite site();

    /** The method arguments. Do not modify. */
    Object[] args();

    /** Whether retrying is safe: an idempotent HTTP method, or a request carrying an {@code Idempotency-Key}. */
    boolean idempotent();

    /** How many times the innermost invocation has started (1 on the first attempt, 2 on the first retry...). */
    int attempts();

    /** Called by the innermost invocation as each attempt starts; returns the attempt number (1-based). */
    int startAttempt();
}
