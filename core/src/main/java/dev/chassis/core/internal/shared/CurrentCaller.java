package dev.chassis.core.internal.shared;

import java.util.concurrent.Callable;

import dev.chassis.core.Caller;
import io.grpc.Context;

/**
 * Where the {@link Caller} of the work a thread does is kept: for an HTTP request or a consumed event, a thread-local
 * bound around the handler ({@link #call}); for a gRPC call, the call's {@link Context} ({@link #KEY}), which follows
 * the call's listener callbacks. Not API.
 */
public final class CurrentCaller {
    /** The caller of the current gRPC call, when an authenticating interceptor set one. */
    public static final Context.Key<Caller> KEY = Context.key("chassis.caller");
    private static final ThreadLocal<Caller> THREAD = new ThreadLocal<>();

    private CurrentCaller() {
    }

    /** The caller bound to this thread or to the current gRPC context; null when none is. */
    public static Caller get() {
        Caller caller = THREAD.get();
        return caller != null ? caller : KEY.get();
    }

    /** Runs {@code work} with {@code caller} as the thread's caller, restoring the previous one after. */
    public static <T> T call(Caller caller, Callable<T> work) throws Exception {
        Caller previous = THREAD.get();
        THREAD.set(caller);
        try {
            return work.call();
        } finally {
            if (previous == null) {
                THREAD.remove();
            } else {
                THREAD.set(previous);
            }
        }
    }
}
