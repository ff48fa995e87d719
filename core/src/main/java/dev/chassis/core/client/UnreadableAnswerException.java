package dev.chassis.core.client;

import dev.chassis.core.Problem;

/**
 * The target answered, but the answer cannot be used: a body that does not read as the declared type, a
 * body larger than the client accepts, or a status the client does not follow (1xx, 3xx). Not retried
 * and not held against the target: retrying would get the same answer.
 */
public final class UnreadableAnswerException extends ClientException {
    private static final long serialVersionUID = 1L;

    public UnreadableAnswerException(String target, String message, Throwable cause) {
        super(target, message, cause, false, false);
    }

    @Override
    public Problem toProblem() {
        return Problem.builder(502).detail("the answer of " + target() + " could not be used").build();
    }
}
