package dev.chassis.core.health;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One named check behind {@code /health/live}, {@code /health/ready} or {@code /health/started}.
 *
 * <p>{@link #check()} may block (it runs on its own virtual thread) but should answer quickly: a
 * check that takes longer than {@code health.check-timeout} is reported DOWN, and a check that throws
 * is reported DOWN with the exception's type (its message is logged, not shown). Liveness checks
 * must never depend on other services; readiness checks do (database, broker, required downstreams).
 */
public interface HealthCheck {
    /** Which endpoint a check feeds. */
    enum Kind {
        /** {@code /health/live}: is the process working at all. Never includes dependencies. */
        LIVENESS,
        /** {@code /health/ready}: can it take traffic now. Includes dependencies. */
        READINESS,
        /** {@code /health/started}: has start-up finished. */
        STARTUP
    }

    /** The name shown in the health JSON, unique per service ({@code "db"}, {@code "broker"}). */
    String name();

    /** The endpoints this check feeds. */
    Set<Kind> kinds();

    /** Runs the check. */
    Health check();

    /**
     * Whether this check DOWN makes {@code /health/ready} DOWN (true, the default), or is only reported in its body
     * (false). {@code health.dependencies.<name>.affects-readiness} overrides it.
     */
    default boolean affectsReadiness() {
        return true;
    }

    /**
     * A readiness check of a dependency (database, broker) whose effect on readiness is chosen by the module that
     * registers it and overridable with {@code health.dependencies.<name>.affects-readiness}.
     *
     * @param affectsReadiness the default: true when the service cannot serve without the dependency, false when it
     *                         can (a broker whose events an outbox keeps)
     */
    static HealthCheck dependency(String name, boolean affectsReadiness, Supplier<Health> check) {
        HealthCheck base = readiness(name, check);
        return new HealthCheck() {
            @Override
            public String name() {
                return base.name();
            }

            @Override
            public Set<Kind> kinds() {
                return base.kinds();
            }

            @Override
            public Health check() {
                return base.check();
            }

            @Override
            public boolean affectsReadiness() {
                return affectsReadiness;
            }

            @Override
            public String toString() {
                return "HealthCheck[" + name + " " + base.kinds() + (affectsReadiness ? "" : " reported only") + "]";
            }
        };
    }

    /** A readiness check from a supplier. */
    static HealthCheck readiness(String name, Supplier<Health> check) {
        return of(name, EnumSet.of(Kind.READINESS), check);
    }

    /** A liveness check from a supplier. */
    static HealthCheck liveness(String name, Supplier<Health> check) {
        return of(name, EnumSet.of(Kind.LIVENESS), check);
    }

    /** A check of the given kinds from a supplier. */
    static HealthCheck of(String name, Set<Kind> kinds, Supplier<Health> check) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(check, "check");
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("kinds must not be empty for check " + name);
        }
        Set<Kind> copy = Set.copyOf(kinds);
        return new HealthCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Set<Kind> kinds() {
                return copy;
            }

            @Override
            public Health check() {
                return check.get();
            }

            @Override
            public String toString() {
                return "HealthCheck[" + name + " " + copy + "]";
            }
        };
    }
}
