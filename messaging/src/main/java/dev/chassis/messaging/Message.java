package dev.chassis.messaging;

import java.net.URI;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A delivered message: its CloudEvents attributes, where it was on the broker, its headers and its event.
 *
 * @param id          {@code ce_id}: unique per event, the key of deduplication
 * @param source      {@code ce_source}: {@code /<service-name>} of the publisher
 * @param type        {@code ce_type}
 * @param subject     {@code ce_subject}, when set
 * @param time        {@code ce_time}, when set
 * @param topic       the topic it was read from
 * @param group       the consumer group it was delivered to (the handler's {@code @Consume} group)
 * @param partition   the partition
 * @param offset      its offset in the partition
 * @param key         the record key (ordering is per key)
 * @param headers     every header, by lower-case name (CloudEvents attributes, trace context, ...)
 * @param data        the event, read into the handler's type
 * @param attempt     this delivery's attempt, from 1
 */
public record Message<T>(String id, URI source, String type, Optional<String> subject, Optional<OffsetDateTime> time,
                         String topic, String group, int partition, long offset, String key, Map<String, List<String>> headers,
                         T data, int attempt) {
    /** The first value of a header, by case-insensitive name. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
}
