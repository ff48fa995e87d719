package dev.chassis.core.http;

/**
 * An annotated endpoint that cannot be bound: two bodies, an unknown path variable, an unsupported
 * parameter type, a duplicate route... Thrown at start-up; the message names the class, the method
 * and the fix.
 */
public final class BindingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with the full message (class, method, what is wrong and the fix). */
    public BindingException(String message) {
        super(message);
    }
}
