package dev.chassis.observability.spi;

import java.util.List;
import java.util.Objects;
import java.util.Set;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanKind;

/**
 * Redacts what spans carry before {@code chassis-observability} keeps or sends them: every ended span passes through
 * every redactor before it reaches the trace store ({@code /observe/traces}), the span log and the exporters (OTLP),
 * so a value masked here is masked everywhere. Called once for the span's attributes and once for each event's
 * (the {@code exception} events included).
 *
 * <p>Found with {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/dev.chassis.observability.spi.SpanRedactor}; it needs a public no-argument constructor.
 * Each service gets its own instances, built once as it starts; {@link Site#service()} says which service a span
 * is from. For fixed keys, {@code observability.tracing.redact} does the same without code.
 *
 * <p>Contract: called concurrently, from request threads and from the exporter's thread, so it must be thread safe
 * and quick; it must not block. It returns the attributes to keep ({@code attributes} itself when it changes
 * nothing). A redactor that throws or returns {@code null} has failed: the span is dropped rather than kept or sent
 * unredacted, and a WARNING is logged (once per redactor).
 */
@FunctionalInterface
public interface SpanRedactor {
    /** What {@link #masking} puts in place of a value. */
    String MASK = "[redacted]";

    /**
     * The attributes to keep.
     *
     * @param site       the span (and event) they belong to
     * @param attributes the span's attributes, or one of its events' attributes
     * @return the attributes to keep; {@code attributes} itself when nothing changes; never {@code null}
     */
    Attributes redact(Site site, Attributes attributes);

    /**
     * Where attributes come from.
     *
     * @param service  the service's name
     * @param spanName the span's name ({@code GET /orders/{id}})
     * @param kind     the span's kind
     * @param event    the event's name ({@code exception}) for an event's attributes, {@code null} for the span's own
     */
    record Site(String service, String spanName, SpanKind kind, String event) {
        public Site {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(spanName, "spanName");
            Objects.requireNonNull(kind, "kind");
        }
    }

    /**
     * A redactor that replaces the value of each attribute named {@code keys} (on spans and events, whatever its
     * type) with the text {@link #MASK}; other attributes are kept as they are.
     *
     * @throws IllegalArgumentException when a key is empty
     */
    static SpanRedactor masking(String... keys) {
        return masking(List.of(keys));
    }

    /** {@link #masking(String...)} with a list. */
    static SpanRedactor masking(List<String> keys) {
        Set<String> masked = Set.copyOf(keys);
        for (String k : masked) {
            if (k.isBlank()) {
                throw new IllegalArgumentException("an attribute key to mask is empty");
            }
        }
        return (site, attributes) -> {
            boolean[] any = {false};
            attributes.forEach((k, v) -> any[0] |= masked.contains(k.getKey()));
            if (!any[0]) {
                return attributes;
            }
            AttributesBuilder b = attributes.toBuilder().removeIf(k -> masked.contains(k.getKey()));
            attributes.forEach((k, v) -> {
                if (masked.contains(k.getKey())) {
                    b.put(AttributeKey.stringKey(k.getKey()), MASK);
                }
            });
            return b.build();
        };
    }
}
