package dev.chassis.core.health;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The result of running the checks of one kind: UP only when every check is UP.
 *
 * @param status the overall status
 * @param checks each check's result, in registration order
 */
public record HealthReport(Health.Status status, List<Entry> checks) {
    /** One check's result. */
    public record Entry(String name, Health.Status status, Map<String, Object> data) {
        public Entry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(status, "status");
            data = Map.copyOf(data);
        }
    }

    public HealthReport {
        Objects.requireNonNull(status, "status");
        checks = List.copyOf(checks);
    }

    /** Whether the overall status is UP. */
    public boolean isUp() {
        return status == Health.Status.UP;
    }
}
