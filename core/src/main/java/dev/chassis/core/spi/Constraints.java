package dev.chassis.core.spi;

import java.util.List;
import java.util.Optional;

import dev.chassis.core.Problem;

/**
 * Bean Validation ({@code jakarta.validation}) of values an extension receives — consumed events, gRPC requests —
 * when a validator is on the class path. Core provides it as a component; an extension asks for it with
 * {@code components().require(Constraints.class, ...)}. Without a validator nothing is ever constrained.
 * Thread-safe.
 */
public interface Constraints {
    /**
     * The check of values of {@code type}, decided once: empty when the type declares no constraint (or no
     * validator is on the class path), so that values of that type cost nothing per value.
     */
    Optional<Check> of(Class<?> type);

    /** Checks values of one type. Thread-safe. */
    @FunctionalInterface
    interface Check {
        /**
         * The violated fields of {@code value}, one entry per field (several messages of one field joined with
         * {@code "; "}), nested fields as paths such as {@code items[2].quantity}; empty when it is valid.
         */
        List<Problem.FieldError> violations(Object value);
    }
}
