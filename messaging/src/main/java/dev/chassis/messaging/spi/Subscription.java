package dev.chassis.messaging.spi;

import java.time.Duration;

/** A running subscription. */
public interface Subscription {
    /**
     * Stops taking new records, waits up to {@code timeout} for the records being handled, commits what was
     * handled and leaves the group (its partitions go to the group's other members).
     */
    void stop(Duration timeout);
}
