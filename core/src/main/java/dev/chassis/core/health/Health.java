package dev.chassis.core.health;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of one health check: {@code UP} or {@code DOWN}, with optional data shown to operators
 * (never secrets). Immutable.
 *
 * @param status UP or DOWN
 * @param data   details in insertion order; empty for none
 */
public record Health(Status status, Map<String, Object> data) {
    /** UP or DOWN, as in the MicroProfile Health JSON shape. */
    public enum Status { UP, DOWN }

    public Health {
        Objects.requireNonNull(status, "status");
        data = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(data, "data")));
    }

    /** UP, no data. */
    public static Health up() {
        return new Health(Status.UP, Map.of());
    }

    /** DOWN, no data. */
    public static Health down() {
        return new Health(Status.DOWN, Map.of());
    }

    /** DOWN with the reason under {@code "reason"}. */
    public static Health down(String reason) {
        return down().with("reason", reason);
    }

    /** A copy with one more data entry. */
    public Health with(String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(data);
        copy.put(Objects.requireNonNull(key, "key"), value);
        return new Health(status, copy);
    }

    /** Whether the status is UP. */
    public boolean isUp() {
        return status == Status.UP;
    }
}
