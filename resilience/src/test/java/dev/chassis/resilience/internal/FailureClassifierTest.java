package dev.chassis.resilience.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.io.IOException;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Problem;
import dev.chassis.core.client.ClientException;
import dev.chassis.core.client.ClientTimeoutException;
import dev.chassis.resilience.CallRejectedException;
import dev.chassis.resilience.CircuitOpenException;

class FailureClassifierTest {
    private static final class Failed extends ClientException {
        private static final long serialVersionUID = 1L;

        Failed(boolean retryable, boolean targetFailure) {
            super("inventory", "failed", null, retryable, targetFailure);
        }
    }

    private final FailureClassifier client = FailureClassifier.CLIENT;
    private final FailureClassifier handler = FailureClassifier.HANDLER;

    @Test
    void aClientRetriesWhatTheClientExceptionCallsRetryable() {
        assertThat(client.retryable(new Failed(true, true))).isTrue();
        assertThat(client.retryable(new Failed(false, true))).isFalse();
        assertThat(client.retryable(new IllegalStateException("not a call failure"))).isFalse();
    }

    @Test
    void aClientCircuitCountsTargetFailuresAndIgnoresLocalRefusals() {
        assertThat(client.failure(new Failed(false, true))).isTrue();
        assertThat(client.failure(new Failed(true, false))).isFalse();
        assertThat(client.ignored(new Failed(false, false))).isFalse();
        assertThat(client.ignored(new CallRejectedException("inventory", "bulkhead full"))).isTrue();
        assertThat(client.ignored(new CircuitOpenException("inventory", Duration.ofSeconds(1)))).isTrue();
        assertThat(client.ignored(new IllegalStateException("not about the target"))).isTrue();
        // the caller's own deadline or cancellation: neither a failure nor a success of the target
        assertThat(client.ignored(ClientTimeoutException.ofCaller("inventory", "the caller's deadline has passed", null)))
                .isTrue();
        assertThat(client.ignored(new ClientTimeoutException("inventory", "no answer in time", null))).isFalse();
    }

    @Test
    void aHandlerRetriesUnexpectedExceptionsAnd5xxButNot4xxNot503NorADownstreamFailure() {
        assertThat(handler.retryable(new UncheckedIOException(new IOException("disk")))).isTrue();
        assertThat(handler.retryable(Problem.builder(500).build())).isTrue();
        assertThat(handler.retryable(Problem.builder(502).build())).isTrue();
        assertThat(handler.retryable(Problem.unavailable("busy", 1))).isFalse();
        assertThat(handler.retryable(Problem.notFound("no order 7"))).isFalse();
        assertThat(handler.retryable(new Failed(true, true))).isFalse();
    }

    @Test
    void aHandlerCircuitCountsUnexpectedExceptionsAnd5xxAndIgnoresNotNowAnswers() {
        assertThat(handler.failure(new IllegalStateException("bug"))).isTrue();
        assertThat(handler.failure(Problem.builder(500).build())).isTrue();
        assertThat(handler.failure(Problem.badRequest("no"))).isFalse();
        assertThat(handler.failure(new Failed(false, false))).as("a client exception answering 4xx/5xx by its problem")
                .isEqualTo(new Failed(false, false).toProblem().status() >= 500);
        assertThat(handler.ignored(Problem.builder(429).build())).isTrue();
        assertThat(handler.ignored(Problem.unavailable("busy", 1))).isTrue();
        assertThat(handler.failure(Problem.unavailable("busy", 1))).isFalse();
        assertThat(handler.ignored(Problem.builder(500).build())).isFalse();
    }
}
