package dev.chassis.core.internal.shared;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.TraceStateBuilder;

/**
 * A {@code tracestate} list as received, in its order, with the W3C Trace Context Level 2 keys that OpenTelemetry's
 * own {@link TraceState} refuses ({@code 1tenant}, {@code a@b@c}, a 256-character key with an {@code @}): the parent's
 * state of a continued trace, which spans inherit and propagators send on unchanged. Immutable and thread-safe.
 * {@link #toBuilder()} starts an OpenTelemetry builder, which keeps the members its grammar accepts.
 *
 * <p>Not API: see the package documentation.
 */
final class ReceivedTraceState implements TraceState {
    private final Map<String, String> members; // insertion-ordered, unmodifiable

    private ReceivedTraceState(Map<String, String> members) {
        this.members = members;
    }

    /** The members of a list already checked by {@link TraceContextHeaders#validTracestate} (no duplicated key). */
    static ReceivedTraceState parse(String list) {
        Map<String, String> members = new LinkedHashMap<>();
        for (String raw : list.split(",", -1)) {
            String member = raw.strip();
            int eq = member.indexOf('=');
            if (eq > 0) {
                members.putIfAbsent(member.substring(0, eq), member.substring(eq + 1));
            }
        }
        return new ReceivedTraceState(Collections.unmodifiableMap(members));
    }

    @Override
    public String get(String key) {
        return key == null ? null : members.get(key);
    }

    @Override
    public int size() {
        return members.size();
    }

    @Override
    public boolean isEmpty() {
        return members.isEmpty();
    }

    @Override
    public void forEach(BiConsumer<String, String> consumer) {
        members.forEach(consumer);
    }

    @Override
    public Map<String, String> asMap() {
        return members;
    }

    @Override
    public TraceStateBuilder toBuilder() {
        TraceStateBuilder builder = TraceState.builder();
        // the builder puts each new member first: add them from the last to keep the order
        members.entrySet().stream().toList().reversed().forEach(e -> builder.put(e.getKey(), e.getValue()));
        return builder;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TraceState other && members.equals(other.asMap());
    }

    @Override
    public int hashCode() {
        return members.hashCode();
    }

    @Override
    public String toString() {
        return "ReceivedTraceState" + members;
    }
}
