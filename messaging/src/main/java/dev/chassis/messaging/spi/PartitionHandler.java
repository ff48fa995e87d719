package dev.chassis.messaging.spi;

/**
 * Handles the records of a subscription. A broker calls it for one partition's records one at a time, in
 * offset order, and commits a record's offset only after {@code handle} returned: at-least-once delivery.
 * A handler that throws is a bug in Chassis' dispatcher; brokers log it and deliver the record again.
 */
@FunctionalInterface
public interface PartitionHandler {
    void handle(Delivered delivered) throws InterruptedException;
}
