package dev.chassis.core.health;

/**
 * Runs a service's health checks. Thread-safe; each call runs the checks afresh, concurrently, each
 * bounded by {@code health.check-timeout}.
 */
public interface HealthChecks {
    /** Runs the checks of this kind, plus the built-in lifecycle checks (started, not shutting down). */
    HealthReport report(HealthCheck.Kind kind);
}
