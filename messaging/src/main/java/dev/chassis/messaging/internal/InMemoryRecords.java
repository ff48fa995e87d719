package dev.chassis.messaging.internal;

import java.util.List;

import dev.chassis.messaging.spi.Delivered;

/** Gives {@link dev.chassis.messaging.InMemoryBroker} the in-memory broker's records. Not API. */
public final class InMemoryRecords {
    private InMemoryRecords() {
    }

    public static List<Delivered> of(String broker, String topic) {
        return MemoryBroker.retained(broker, topic);
    }
}
