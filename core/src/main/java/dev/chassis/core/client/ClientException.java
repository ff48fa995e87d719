package dev.chassis.core.client;

import dev.chassis.core.Problem;
import dev.chassis.core.ProblemSource;

/**
 * A call through a Chassis client that did not produce a result. Subtypes say why: the target answered
 * with an error ({@link RemoteProblemException}), could not be reached ({@link UnreachableException}),
 * did not answer in time ({@link ClientTimeoutException}), or a policy refused the call (circuit open,
 * retry budget spent...). When it escapes a handler, the handler's client receives
 * {@link #toProblem()} — a problem of this service, never the downstream's internals.
 */
public abstract class ClientException extends RuntimeException implements ProblemSource {
    private static final long serialVersionUID = 1L;

    private final String target;
    private final boolean retryable;
    private final boolean targetFailure;

    /**
     * @param target        the logical target name ({@code inventory})
     * @param message       what happened, for logs
     * @param cause         the underlying failure, or {@code null}
     * @param retryable     whether the standard's retry rules allow retrying this failure
     * @param targetFailure whether it counts against the target's health
     */
    protected ClientException(String target, String message, Throwable cause, boolean retryable, boolean targetFailure) {
        super(message, cause);
        this.target = target;
        this.retryable = retryable;
        this.targetFailure = targetFailure;
    }

    /** The logical target name. */
    public String target() {
        return target;
    }

    /** Whether the standard's retry rules allow retrying this failure (connect failures, 502, 503, 504). */
    public final boolean retryable() {
        return retryable;
    }

    /** Whether this failure counts against the target's health (circuit breakers, outlier ejection). */
    public final boolean targetFailure() {
        return targetFailure;
    }

    @Override
    public Problem toProblem() {
        return Problem.builder(502).detail("a call to " + target + " failed").build();
    }
}
