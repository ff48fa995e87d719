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
                null, problem.status() == 502 || problem.status() == 503 || problem.status() == 504,
                problem.status() >= 500);
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

    /** 504 when the target's deadline passed (the caller's own deadline did too), else 502. */
    @Override
    public Problem toProblem() {
        int status = problem.status() == 504 ? 504 : 502;
        return Problem.builder(status).detail("a call to " + target() + " answered " + problem.status()).build();
    }
}
