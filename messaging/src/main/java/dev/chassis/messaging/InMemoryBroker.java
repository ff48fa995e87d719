package dev.chassis.messaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.chassis.core.Json;
import dev.chassis.messaging.internal.InMemoryRecords;
import dev.chassis.messaging.spi.Delivered;

/**
 * The in-memory broker of this JVM, as a test inspects it: what services published to a topic, whether or not
 * anything consumed it. Services in one JVM with the same {@code messaging.memory.name} ({@code default} unless
 * set) share one broker.
 *
 * <pre>{@code
 * orders.client().post("/orders", "{...}");
 * assertThat(InMemoryBroker.named("default").events("orders.placed", OrderPlaced.class))
 *         .extracting(OrderPlaced::customer).containsExactly("ada");
 * }</pre>
 */
public final class InMemoryBroker {
    private final String name;

    private InMemoryBroker(String name) {
        this.name = name;
    }

    /** The broker of that name; it must exist (a service using it has started in this JVM). */
    public static InMemoryBroker named(String name) {
        if (InMemoryRecords.of(name, "") == null) {
            throw new IllegalArgumentException("no in-memory broker named '" + name + "' exists in this JVM: start a"
                    + " service with messaging.memory.name=" + name + " (the broker is 'default' unless set)");
        }
        return new InMemoryBroker(name);
    }

    /**
     * A record as the broker holds it.
     *
     * @param headers CloudEvents attributes ({@code ce_id}, {@code ce_type}, ...), trace context and the rest
     * @param value   the event's JSON
     */
    public record Record(String topic, int partition, long offset, String key, Map<String, List<String>> headers,
                         String value) {
        /** The first value of a header, or null. */
        public String header(String header) {
            List<String> v = headers.get(header);
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    /** Every record the topic holds, partition by partition in offset order. */
    public List<Record> records(String topic) {
        List<Record> out = new ArrayList<>();
        for (Delivered d : InMemoryRecords.of(name, topic)) {
            out.add(new Record(topic, d.partition(), d.offset(), d.record().key(), d.record().headers(),
                    d.record().value() == null ? "" : new String(d.record().value(), StandardCharsets.UTF_8)));
        }
        return out;
    }

    /** The topic's events, read as {@code type} with the service's JSON mapper. */
    public <T> List<T> events(String topic, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (Record r : records(topic)) {
            try {
                out.add(Json.mapper().readValue(r.value(), type));
            } catch (IOException e) {
                throw new UncheckedIOException("a record of " + topic + " is not a " + type.getSimpleName(), e);
            }
        }
        return out;
    }
}
