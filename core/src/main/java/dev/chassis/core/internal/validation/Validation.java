package dev.chassis.core.internal.validation;

import java.lang.reflect.Method;
import java.util.Optional;

import dev.chassis.core.spi.Constraints;

/**
 * Bean Validation of handler arguments and other values, behind an interface that names no {@code jakarta.validation}
 * type: core runs without a validator on the class path, and then nothing is checked. Decided once per JVM, at
 * start-up, by a class lookup. Not API.
 */
public interface Validation extends Constraints {
    /** Nothing is constrained: no validator on the class path. */
    Validation NONE = new Validation() {
        @Override
        public Optional<Check> of(Class<?> type) {
            return Optional.empty();
        }

        @Override
        public ArgumentsCheck forHandler(Object target, Method method, String[] fields, int body) {
            return null;
        }
    };

    /** The validation of this JVM: Bean Validation when a validator is on the class path, else {@link #NONE}. */
    static Validation detected() {
        return Detection.VALIDATION;
    }

    /**
     * The check of a handler's arguments, or {@code null} when no parameter of {@code method} is constrained (then
     * nothing runs per request).
     *
     * @param target the endpoint object whose method is invoked
     * @param method the method carrying the annotations
     * @param fields per parameter, the name a violation is reported under (the path, query or header name), or
     *               {@code null} for the body, whose violations are reported by their path inside it
     * @param body   the index of the {@code @Body} parameter, or -1; its type's constraints are checked even without
     *               {@code @Valid}
     */
    ArgumentsCheck forHandler(Object target, Method method, String[] fields, int body);

    /** Checks the arguments of one handler. Thread-safe. */
    @FunctionalInterface
    interface ArgumentsCheck {
        /**
         * Checks the arguments before the handler runs.
         *
         * @throws dev.chassis.core.Problem 400 with one {@code errors} entry per violated field
         */
        void check(Object[] args);
    }
}
