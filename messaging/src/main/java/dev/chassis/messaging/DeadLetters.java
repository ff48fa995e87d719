package dev.chassis.messaging;

/**
 * The dead letters of a topic ({@code <topic>.dlq}): messages whose handler failed every attempt, or that could
 * not be read. Get it with {@code service.component(DeadLetters.class)}.
 */
public interface DeadLetters {
    /**
     * Publishes back to {@code topic} every dead letter of it that one of this service's consumer groups
     * dead-lettered (same key, attributes and data; the dead-letter headers removed), for that group alone to
     * handle again — other groups of the topic skip it — and returns how many. Letters are replayed once (the
     * service's replay group commits as it goes); call it from one instance at a time.
     */
    int replay(String topic);
}
