package dev.chassis.resilience;

import java.net.URI;
import java.time.Duration;

import dev.chassis.core.Problem;
import dev.chassis.core.client.ClientException;

/**
 * A client call refused at once, without touching the network, because the target's circuit is open.
 * Escaping a handler, it answers 503 with {@code Retry-After} and the problem type
 * {@value #TYPE}.
 */
public final class CircuitOpenException extends ClientException {
    private static final long serialVersionUID = 1L;
    /** The problem type of an open circuit. */
    public static final String TYPE = "https://chassis.dev/problems/circuit-open";

    private final Duration retryAfter;

    public CircuitOpenException(String target, Duration retryAfter) {
        super(target, "the circuit of " + target + " is open", null, false, false);
        this.retryAfter = retryAfter;
    }

    /** About how long until the circuit lets trial calls through. */
    public Duration retryAfter() {
        return retryAfter;
    }

    @Override
    public Problem toProblem() {
        return Problem.builder(503).type(URI.create(TYPE)).title("Circuit Open")
                .detail(target() + " is failing; calls to it are suspended")
                .header("Retry-After", Long.toString(Math.max(1, (retryAfter.toMillis() + 999) / 1000)))
                .build();
    }
}
