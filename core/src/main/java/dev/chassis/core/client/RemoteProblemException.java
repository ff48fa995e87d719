package dev.chassis.core.client;

import dev.chassis.core.Problem;

/**
 * The target answered with a non-2xx status. {@link #problem()} is its problem body when it sent
 * {@code application/problem+json}, or one made from the status and a short excerpt of the body.
 */
public final class RemoteProblemException extends ClientException {
    private static final long serialVersionUID = 1L;

    private final transient Problem problem;

    public RemoteProblemException(String target, String call, Problem problem) {
        super(target, call + " answered " + problem.status() + (problem.detail() == null ? "" : ": " + problem.detail()),
                null);
        this.problem = problem;
    }

    /** The target's problem. */
    public Problem problem() {
        return problem;
    }

    /** The HTTP status the target answered. */
    public int status() {
        return problem.status();
    }

    @Override
    public boolean retryable() {
        int s = problem.status();
        return s == 502 || s == 503 || s == 504;
    }

    @Override
    public boolean targetFailure() {
        return problem.status() >= 500;
    }

    @Override
    public Problem toProblem() {
        return Problem.builder(502).detail("a call to " + target() + " answered " + problem.status()).build();
    }
}
