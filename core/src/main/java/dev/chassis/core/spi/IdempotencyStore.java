package dev.chassis.core.spi;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Where a service keeps the answers to requests that carried an {@code Idempotency-Key} (STANDARD §2), so that a
 * retried request gets the first answer instead of running again. Chassis handles the protocol — which requests,
 * the request fingerprint, replaying, 422 for a reused key, waiting for a request in progress; a store only keeps
 * rows. An ordinary component: an extension provides it ({@code context.components().provide(IdempotencyStore.class,
 * store)}) and Chassis uses it when one is provided; the JDBC module brings one on the
 * service's database. Implementations are called concurrently, from many instances of a service at once.
 */
public interface IdempotencyStore {
    /**
     * Claims {@code key} for a request with this fingerprint, atomically: of concurrent claims of a new key, exactly
     * one is {@link Claimed}. A claim that was neither completed, released nor renewed within the store's
     * {@link #lease()} (its instance died) may be claimed again.
     */
    Claim claim(String key, String fingerprint) throws Exception;

    /**
     * Stores the answer of a key claimed with {@code token}; later claims with its fingerprint get it as a
     * {@link Replay}. Does nothing when the claim was lost (taken over after its lease).
     */
    void complete(String key, String token, Answer answer) throws Exception;

    /**
     * Forgets a key claimed with {@code token} whose request ended without an answer worth keeping (5xx, 429): a
     * retry runs again. Does nothing when the claim was lost.
     */
    void release(String key, String token) throws Exception;

    /** Extends the lease of a claim whose request still runs; Chassis calls it every third of {@link #lease()}. */
    void renew(String key, String token) throws Exception;

    /** How long a claim holds without being renewed. */
    Duration lease();

    /** How long a request waits for another request with its key that is in progress, before 409. */
    Duration waitForInProgress();

    /** An answer as it was sent: status, headers (by name as sent) and body. */
    record Answer(int status, Map<String, List<String>> headers, byte[] body) {
        public Answer {
            headers = Map.copyOf(headers);
            body = body == null ? new byte[0] : body;
        }
    }

    /** What a claim found. */
    sealed interface Claim permits Claimed, Replay, Mismatch, InProgress {
    }

    /** The key is new (or its earlier claim expired): run the request; {@code token} identifies this claim. */
    record Claimed(String token) implements Claim {
    }

    /** The key was used for this same request, which was answered: send this answer again. */
    record Replay(Answer answer) implements Claim {
    }

    /** The key was used for a different request (another body, method or path): 422. */
    record Mismatch() implements Claim {
    }

    /** The key's first request is still running. */
    record InProgress() implements Claim {
    }
}
