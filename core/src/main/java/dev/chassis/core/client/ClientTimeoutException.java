package dev.chassis.core.client;

import dev.chassis.core.Problem;

/**
 * The target did not answer within the request timeout. Not retried by default: the request may have
 * been processed.
 */
public final class ClientTimeoutException extends ClientException {
    private static final long serialVersionUID = 1L;

    public ClientTimeoutException(String target, String message, Throwable cause) {
        super(target, message, cause, false, true);
    }

    @Override
    public Problem toProblem() {
        return Problem.builder(504).detail(target() + " did not answer in time").build();
    }
}
