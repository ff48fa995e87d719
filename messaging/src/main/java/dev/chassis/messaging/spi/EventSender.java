package dev.chassis.messaging.spi;

import java.util.concurrent.CompletableFuture;

import dev.chassis.messaging.Published;

/**
 * Publishing in two steps, for modules that keep events before they publish them (the JDBC outbox): first the
 * record an event becomes, then sending it. Together they do what {@code Publisher.publish} does. Provided by
 * {@code chassis-messaging}; extensions get it with {@code context.components().require(EventSender.class, ...)}.
 */
public interface EventSender {
    /**
     * The record {@code Publisher} would send: the event as a CloudEvent in binary mode, with a new {@code ce_id}
     * and no trace context.
     *
     * @throws IllegalArgumentException when the topic is not a topic name, or the event cannot be written as JSON
     */
    BrokerRecord record(String topic, String key, Object event);

    /**
     * Sends a record as {@code Publisher} does: in a producer span, child of the current context, whose trace
     * context replaces the record's; measured. Completes with the acknowledgement, or exceptionally with a
     * {@code PublishException}.
     */
    CompletableFuture<Published> send(BrokerRecord record);

    /**
     * Whether a failure of {@link #send} (as thrown by its future, wrapped or not) may pass when the record is sent
     * again later, rather than the broker refusing this record: see {@code Broker.retriable}. The default says
     * {@code true}: never give up.
     */
    default boolean retriable(Throwable failure) {
        return true;
    }
}
