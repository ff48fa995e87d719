package dev.chassis.discovery;

/** The registry could not be reached or refused a request. */
public class RegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
