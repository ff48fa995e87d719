package dev.chassis.messaging.spi;

import java.util.List;
import java.util.Map;

/**
 * A record as brokers carry it: topic, key, headers (lower-case names; CloudEvents attributes as {@code ce_*}
 * headers, trace context, dead-letter headers) and the value's bytes.
 */
public record BrokerRecord(String topic, String key, Map<String, List<String>> headers, byte[] value) {
    public BrokerRecord {
        headers = Map.copyOf(headers);
    }

    /** The first value of a header, or null. */
    public String header(String name) {
        List<String> v = headers.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
