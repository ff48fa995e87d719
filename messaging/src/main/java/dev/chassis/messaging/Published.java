package dev.chassis.messaging;

/** Where an acknowledged event is: its topic, partition and offset, and its CloudEvents id. */
public record Published(String topic, int partition, long offset, String id) {
}
