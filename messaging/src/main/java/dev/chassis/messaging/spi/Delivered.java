package dev.chassis.messaging.spi;

/** A record read from a partition, at an offset. */
public record Delivered(BrokerRecord record, int partition, long offset) {
}
