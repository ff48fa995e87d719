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

    private ClientTimeoutException(String target, String message, Throwable cause, boolean targetFailure) {
        super(target, message, cause, false, targetFailure);
    }

    /**
     * A call that ended because of its caller: the caller's deadline passed (before or while it waited), or its call
     * was cancelled. Not the target's failure: it counts against no circuit breaker and ejects no instance, so that
     * callers with tiny deadlines (a {@code grpc-timeout} of a microsecond) cannot open a healthy target's circuit.
     *
     * @param target  the logical target name
     * @param message what happened, for logs
     * @param cause   the underlying failure, or {@code null}
     * @return the exception
     */
    public static ClientTimeoutException ofCaller(String target, String message, Throwable cause) {
        return new ClientTimeoutException(target, message, cause, false);
    }

    @Override
    public Problem toProblem() {
        return Problem.builder(504).detail(target() + " did not answer in time").build();
    }
}
