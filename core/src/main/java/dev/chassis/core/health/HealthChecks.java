package dev.chassis.core.health;

import java.util.EnumSet;
import java.util.Set;

/**
 * Runs a service's health checks. Thread-safe; each call runs the checks afresh, concurrently, each
 * bounded by {@code health.check-timeout}.
 */
public interface HealthChecks {
    /** Runs the checks of this kind, plus the built-in lifecycle checks (started, not shutting down). */
    default HealthReport report(HealthCheck.Kind kind) {
        return report(EnumSet.of(kind));
    }

    /** Runs the checks of any of these kinds once each, concurrently; UP only when all are UP. */
    HealthReport report(Set<HealthCheck.Kind> kinds);
}
