package dev.chassis.core.internal.shared;

import java.util.concurrent.Callable;

import dev.chassis.core.Caller;
import io.grpc.Context;

/**
 * Where the {@link Caller} of the work a thread does is kept: for an HTTP request or a consumed event, a thread-local
 * bound around the handler ({@link #call}); for a gRPC call, the call's {@link Context} ({@link #KEY}), which follows
 * the call's listener callbacks. Not API.
 *
 * <p>Beside the caller, the raw bearer token it was verified from, for the one use that needs it: relaying the
 * user's token to another service ({@code clients.<target>.credentials: relay}, in {@code chassis-security}). The
 * authenticating filter binds it with {@link #call(Caller, String, Callable)} (HTTP) or puts it in the call's
 * context under {@link #TOKEN_KEY} (gRPC); client decorators and interceptors read it with {@link #token()}.
 * {@link Caller} never holds it, so that nothing that prints or serialises a caller can leak it; a consumed event
 * carries none.
 */
public final class CurrentCaller {
    /** The caller of the current gRPC call, when an authenticating interceptor set one. */
    public static final Context.Key<Caller> KEY = Context.key("chassis.caller");
    /** The raw bearer token of the current gRPC call (without the {@code Bearer } prefix), when one was verified. */
    public static final Context.Key<String> TOKEN_KEY = Context.key("chassis.bearer-token");
    private static final ThreadLocal<Caller> THREAD = new ThreadLocal<>();
    private static final ThreadLocal<String> TOKEN = new ThreadLocal<>();

    private CurrentCaller() {
    }

    /** The caller bound to this thread or to the current gRPC context; null when none is. */
    public static Caller get() {
        Caller caller = THREAD.get();
        return caller != null ? caller : KEY.get();
    }

    /**
     * The verified bearer token (without the {@code Bearer } prefix) of the request this thread serves, bound with
     * {@link #call(Caller, String, Callable)} or found in the gRPC context; null when none is. Never log it.
     */
    public static String token() {
        String token = TOKEN.get();
        return token != null ? token : TOKEN_KEY.get();
    }

    /** Runs {@code work} with {@code caller} as the thread's caller, restoring the previous one after. */
    public static <T> T call(Caller caller, Callable<T> work) throws Exception {
        return call(caller, null, work);
    }

    /**
     * Runs {@code work} with {@code caller} as the thread's caller and {@code token} (may be null) as the bearer token
     * it was verified from, restoring the previous ones after.
     */
    public static <T> T call(Caller caller, String token, Callable<T> work) throws Exception {
        Caller previous = THREAD.get();
        String previousToken = TOKEN.get();
        THREAD.set(caller);
        TOKEN.set(token);
        try {
            return work.call();
        } finally {
            restore(THREAD, previous);
            restore(TOKEN, previousToken);
        }
    }

    /**
     * Runs {@code work} — a filter chain, which throws only unchecked exceptions — with {@code caller} and
     * {@code token} (may be null) bound to the thread, restoring the previous ones after.
     */
    public static void run(Caller caller, String token, Runnable work) {
        Caller previous = THREAD.get();
        String previousToken = TOKEN.get();
        THREAD.set(caller);
        TOKEN.set(token);
        try {
            work.run();
        } finally {
            restore(THREAD, previous);
            restore(TOKEN, previousToken);
        }
    }

    /**
     * {@code work} as a task for another thread, carrying what this thread's work runs with: the caller and its token,
     * the gRPC context (the request's deadline and cancellation, a gRPC call's caller) and the OpenTelemetry context
     * (the trace). Without it, work handed to another thread (a time limit's) ran as an anonymous caller, without a
     * deadline, in a trace of its own.
     */
    public static <T> Callable<T> carried(Callable<T> work) {
        Caller caller = THREAD.get();
        String token = TOKEN.get();
        Callable<T> withCaller = caller == null && token == null ? work : () -> call(caller, token, work);
        return Context.current().wrap(io.opentelemetry.context.Context.current().wrap(withCaller)); // CHECKSTYLE:FQN-OK
    }

    private static <T> void restore(ThreadLocal<T> local, T previous) {
        if (previous == null) {
            local.remove();
        } else {
            local.set(previous);
        }
    }
}
