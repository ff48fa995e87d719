package dev.chassis.messaging;

/**
 * The dead letters of a topic ({@code <topic>.dlq}): messages whose handler failed every attempt, or that could
 * not be read. Get it with {@code service.component(DeadLetters.class)}.
 */
public interface DeadLetters {
    /**
     * Publishes every dead letter of {@code topic} back to it (same key, attributes and data; the dead-letter
     * headers removed) for the given consumer group's handlers to try again, and returns how many. Letters
     * replayed once are not replayed again.
     */
    int replay(String topic);
}
