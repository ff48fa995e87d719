package dev.chassis.core.spi;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import dev.chassis.core.http.Origin;

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
        return new PlainCall(site, args, idempotent, null);
    }

    /**
     * A handler's call, as Chassis creates one for each request: with the request's {@link Origin}, asked of
     * {@code origin} when a decorator first needs it.
     */
    static Call of(CallSite site, Object[] args, boolean idempotent, Supplier<Origin> origin) {
        return new PlainCall(site, args, idempotent, Objects.requireNonNull(origin, "origin"));
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

    /**
     * Sets a request header on this client call's attempts from now on (an attempt already sent is not changed),
     * replacing a header of the same name that the method's parameters or an earlier decorator set: how a decorator
     * adds credentials ({@code Authorization}) to an outgoing call. Not thread-safe, like the call.
     *
     * @throws UnsupportedOperationException on a handler's call: an answer's headers are the handler's
     */
    default void header(String name, String value) {
        throw new UnsupportedOperationException("only client calls take request headers, not " + site().describe());
    }

    /**
     * Where the request a handler's call serves came from — the client's address (as a trusted proxy forwarded it),
     * scheme and host: what a decorator keys per-client state on. Empty on a client call, and on a call made with
     * {@link #of(CallSite, Object[], boolean)}.
     */
    default Optional<Origin> origin() {
        return Optional.empty();
    }

    /** The request headers decorators set with {@link #header}, by name as given; empty on a handler's call. */
    default Map<String, String> headers() {
        return Map.of();
    }
}
