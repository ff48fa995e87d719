package dev.chassis.messaging;

/** An event was not acknowledged by the broker: it may or may not have been stored. */
public class PublishException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
