package dev.chassis.core.client;

import dev.chassis.core.Problem;

/**
 * The target could not be reached: no instance known, the connection failed, or it broke before an
 * answer came. Retryable only when no request reached the target (no instance, connect failure).
 */
public final class UnreachableException extends ClientException {
    private static final long serialVersionUID = 1L;

    /**
     * @param beforeSending whether the failure happened before the request could reach the target
     */
    public UnreachableException(String target, String message, Throwable cause, boolean beforeSending) {
        super(target, message, cause, beforeSending, true);
    }

    @Override
    public Problem toProblem() {
        return Problem.builder(503).detail(target() + " is unreachable").header("Retry-After", "1").build();
    }
}
