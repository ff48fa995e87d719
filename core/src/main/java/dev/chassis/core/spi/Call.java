package dev.chassis.core.spi;

/**
 * One invocation of a handler or client method, passed down a chain of {@link Invocation}s. Created per
 * call; not thread-safe (a call runs on one thread at a time).
 */
public final class Call {
    private final CallSite site;
    private final Object[] args;
    private final boolean idempotent;
    private int attempts;
    private int seed = -1;
    private Object tried; // the instances attempts went to: null, one, or a List

    public Call(CallSite site, Object[] args, boolean idempotent) {
        this.site = site;
        this.args = args;
        this.idempotent = idempotent;
    }

    /** Where this call goes. */
    public CallSite site() {
        return site;
    }

    /** The method arguments. Do not modify. */
    public Object[] args() {
        return args;
    }

    /** Whether retrying is safe: an idempotent HTTP method, or a request carrying an {@code Idempotency-Key}. */
    public boolean idempotent() {
        return idempotent;
    }

    /** How many times the innermost invocation has started (1 on the first attempt, 2 on the first retry...). */
    public int attempts() {
        return attempts;
    }

    /** Called by the innermost invocation as each attempt starts; returns the attempt number (1-based). */
    public int startAttempt() {
        return ++attempts;
    }

    /** Records that an attempt of this call went to {@code instance} (a client's load balancer calls it). */
    public void markTried(Object instance) {
        if (tried == null) {
            tried = instance;
        } else if (tried instanceof TriedList list) {
            list.add(instance);
        } else {
            TriedList list = new TriedList();
            list.add(tried);
            list.add(instance);
            tried = list;
        }
    }

    /** Whether an attempt of this call went to {@code instance} already: a retry goes elsewhere when it can. */
    public boolean tried(Object instance) {
        if (tried == null) {
            return false;
        }
        return tried instanceof TriedList list ? list.contains(instance) : tried.equals(instance);
    }

    private static final class TriedList extends java.util.ArrayList<Object> {
        private static final long serialVersionUID = 1L;
    }

    /**
     * A number fixed for the whole call, taken from {@code supplier} the first time it is asked for: a
     * client picks its first instance with it and moves on from there on retries, so that a retry goes
     * to a different instance.
     */
    public int seed(java.util.function.IntSupplier supplier) {
        if (seed < 0) {
            seed = supplier.getAsInt() & Integer.MAX_VALUE;
        }
        return seed;
    }
}
