package dev.chassis.security.client;

import dev.chassis.core.Problem;
import dev.chassis.core.client.ClientException;

/**
 * A call could not be made because its client-credentials token could not be obtained: the token endpoint could not
 * be reached, did not answer in time, or refused this service's client. The target was not called, and does not count
 * as failed. The message names the target and the token endpoint, never the client secret; a handler that lets it
 * escape answers 503.
 */
public final class TokenUnavailableException extends ClientException {
    private static final long serialVersionUID = 1L;

    /**
     * @param target  the logical target the token was for
     * @param message what happened, naming the token endpoint
     * @param cause   the underlying failure, or {@code null}
     */
    public TokenUnavailableException(String target, String message, Throwable cause) {
        super(target, message, cause, false, false);
    }

    @Override
    public Problem toProblem() {
        return Problem.builder(503).detail("credentials for calling " + target() + " are unavailable")
                .header("Retry-After", "1").build();
    }
}
