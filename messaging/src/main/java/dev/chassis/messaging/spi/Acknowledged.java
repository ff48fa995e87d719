package dev.chassis.messaging.spi;

/** Where the broker stored a record. */
public record Acknowledged(int partition, long offset) {
}
