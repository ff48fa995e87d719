package dev.chassis.resilience.internal;

import dev.chassis.core.Problem;
import dev.chassis.core.ProblemSource;
import dev.chassis.core.client.ClientException;
import dev.chassis.core.client.ClientTimeoutException;
import dev.chassis.core.spi.CallSite;
import dev.chassis.resilience.CallRejectedException;
import dev.chassis.resilience.CircuitOpenException;

/**
 * Which failures of a call count against its circuit breaker, which say nothing about it, and which a retry
 * repeats; one rule for clients and one for handlers, used by every policy. Thread-safe. Not API.
 */
final class FailureClassifier {
    /** A client call: the target failed (transport, time-out, 5xx) or refused locally. */
    static final FailureClassifier CLIENT = new FailureClassifier(true);
    /** A handler: unexpected exceptions and 5xx problems are failures; 4xx and "not now" (429, 503) are not. */
    static final FailureClassifier HANDLER = new FailureClassifier(false);

    private final boolean client;

    private FailureClassifier(boolean client) {
        this.client = client;
    }

    /** The classifier of a call site's kind. */
    static FailureClassifier of(CallSite site) {
        return site.kind() == CallSite.Kind.CLIENT ? CLIENT : HANDLER;
    }

    /** Whether a retry repeats the call after this exception. */
    boolean retryable(Throwable t) {
        if (client) {
            return t instanceof ClientException ce && ce.retryable();
        }
        // Not a downstream's failure (its client already retried it), not 4xx, not the policies' own 429 or 503.
        if (t instanceof ClientException) {
            return false;
        }
        Problem problem = problem(t);
        return problem == null || (problem.status() >= 500 && problem.status() != 503);
    }

    /** Whether this exception counts as a failure in a circuit breaker's window. */
    boolean failure(Throwable t) {
        if (client) {
            return t instanceof ClientException ce && ce.targetFailure();
        }
        return !ignored(t) && !(t instanceof Problem pr && pr.status() < 500)
                && !(t instanceof ProblemSource ps && ps.toProblem().status() < 500);
    }

    /** Whether this exception says nothing about the call: counted neither as failure nor as success. */
    boolean ignored(Throwable t) {
        if (client) {
            // local refusals, non-client exceptions and the caller's own deadline or cancellation say nothing about
            // the target (counted as successes, a client's tiny deadlines would keep a failing target's circuit closed)
            return !(t instanceof ClientException) || t instanceof CallRejectedException || t instanceof CircuitOpenException
                    || t instanceof ClientTimeoutException timeout && !timeout.targetFailure();
        }
        return t instanceof Problem pr && (pr.status() == 429 || pr.status() == 503);
    }

    private static Problem problem(Throwable t) {
        return t instanceof Problem pr ? pr : t instanceof ProblemSource ps ? ps.toProblem() : null;
    }
}
