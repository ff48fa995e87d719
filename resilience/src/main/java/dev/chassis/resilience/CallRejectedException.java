package dev.chassis.resilience;

import dev.chassis.core.Problem;
import dev.chassis.core.client.ClientException;

/**
 * A client call refused locally, without touching the network, by a bulkhead or rate limiter. Escaping a
 * handler, it answers 503 with {@code Retry-After}.
 */
public final class CallRejectedException extends ClientException {
    private static final long serialVersionUID = 1L;

    public CallRejectedException(String target, String why) {
        super(target, "a call to " + target + " was refused: " + why, null, false, false);
    }

    @Override
    public Problem toProblem() {
        return Problem.builder(503).detail("too many calls to " + target() + " at once").header("Retry-After", "1").build();
    }
}
