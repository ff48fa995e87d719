package dev.chassis.core.internal.server;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import dev.chassis.core.health.Health;
import dev.chassis.core.health.HealthCheck;
import dev.chassis.core.health.HealthChecks;
import dev.chassis.core.health.HealthReport;

/**
 * Runs health checks concurrently on virtual threads, each bounded by a timeout, and adds the service's
 * lifecycle: readiness is DOWN until started and from the moment shutdown begins; the startup probe is
 * DOWN until started. A check still running from an earlier probe is not started again (a hung check
 * holds one thread, not one per probe); it is reported DOWN until it answers. A readiness check that does not affect
 * readiness ({@link HealthCheck#affectsReadiness()}, or {@code health.dependencies.<name>.affects-readiness}) is
 * shown in {@code /health/ready} with {@code affects-readiness: false} and does not make it DOWN. Not API.
 */
public final class HealthRegistry implements HealthChecks {
    private static final System.Logger LOG = System.getLogger(HealthRegistry.class.getName());

    enum State { STARTING, SERVING, STOPPING }

    private record Registered(HealthCheck check, boolean affectsReadiness,
                              AtomicReference<CompletableFuture<Health>> running) {
    }

    private final List<Registered> checks = new CopyOnWriteArrayList<>();
    private final Duration timeout;
    private volatile State state = State.STARTING;

    /** {@code health.dependencies.<name>.affects-readiness} by check name; null where not configured. */
    private final Function<String, Boolean> affectsReadiness;

    HealthRegistry(Duration timeout) {
        this(timeout, name -> null);
    }

    HealthRegistry(Duration timeout, Function<String, Boolean> affectsReadiness) {
        this.timeout = timeout;
        this.affectsReadiness = affectsReadiness;
    }

    /** Adds a check; only while the service is being built. */
    void add(HealthCheck check) {
        if (state != State.STARTING) {
            throw new IllegalStateException("health checks can only be added before the service starts");
        }
        boolean taken = check.name().equals("lifecycle") || check.name().equals("started")
                || checks.stream().anyMatch(c -> c.check().name().equals(check.name()));
        if (taken) {
            throw new IllegalArgumentException("health check name '" + check.name()
                    + "' is taken; names must be unique and not 'lifecycle' or 'started'");
        }
        Boolean configured = affectsReadiness.apply(check.name());
        checks.add(new Registered(check, configured != null ? configured : check.affectsReadiness(),
                new AtomicReference<>()));
    }

    void state(State state) {
        this.state = state;
    }

    @Override
    public HealthReport report(Set<HealthCheck.Kind> kinds) {
        List<HealthReport.Entry> entries = new ArrayList<>();
        State s = state;
        List<Registered> selected = checks.stream()
                .filter(c -> c.check().kinds().stream().anyMatch(kinds::contains)).toList();
        List<CompletableFuture<Health>> futures = selected.stream().map(HealthRegistry::run).toList();
        for (HealthCheck.Kind kind : List.of(HealthCheck.Kind.LIVENESS, HealthCheck.Kind.READINESS)) {
            if (kind == HealthCheck.Kind.READINESS && kinds.contains(kind)) {
                entries.add(new HealthReport.Entry("lifecycle", s == State.SERVING ? Health.Status.UP : Health.Status.DOWN,
                        Map.of("state", s.name().toLowerCase(Locale.ROOT))));
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> reportedOnly = new HashSet<>();
        for (int i = 0; i < selected.size(); i++) {
            Registered r = selected.get(i);
            HealthReport.Entry e = outcome(r.check(), futures.get(i), deadline);
            if (!r.affectsReadiness() && kinds.contains(HealthCheck.Kind.READINESS)) {
                // reported, not counted: a shared dependency that is down must not take every replica out of rotation
                Map<String, Object> data = new LinkedHashMap<>(e.data());
                data.put("affects-readiness", false);
                e = new HealthReport.Entry(e.name(), e.status(), data);
                reportedOnly.add(e.name());
            }
            entries.add(e);
        }
        if (kinds.contains(HealthCheck.Kind.STARTUP)) {
            entries.add(new HealthReport.Entry("started", s == State.STARTING ? Health.Status.DOWN : Health.Status.UP,
                    Map.of()));
        }
        boolean up = entries.stream().allMatch(e -> e.status() == Health.Status.UP || reportedOnly.contains(e.name()));
        return new HealthReport(up ? Health.Status.UP : Health.Status.DOWN, entries);
    }

    /** The check's running evaluation, or a new one when none is running. */
    private static CompletableFuture<Health> run(Registered r) {
        while (true) {
            CompletableFuture<Health> current = r.running().get();
            if (current != null && !current.isDone()) {
                return current;
            }
            CompletableFuture<Health> f = new CompletableFuture<>();
            if (r.running().compareAndSet(current, f)) {
                Thread.ofVirtual().name("health-" + r.check().name()).start(() -> {
                    try {
                        f.complete(r.check().check());
                    } catch (Throwable t) {
                        f.completeExceptionally(t);
                    }
                });
                return f;
            }
        }
    }

    private HealthReport.Entry outcome(HealthCheck check, CompletableFuture<Health> future, long deadline) {
        try {
            Health h = future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (h == null) {
                return new HealthReport.Entry(check.name(), Health.Status.DOWN, Map.of("error", "check returned null"));
            }
            return new HealthReport.Entry(check.name(), h.status(), h.data());
        } catch (TimeoutException e) {
            LOG.log(Level.WARNING, "health check '" + check.name() + "' did not answer within " + timeout.toMillis() + " ms");
            return new HealthReport.Entry(check.name(), Health.Status.DOWN,
                    Map.of("error", "timed out after " + timeout.toMillis() + " ms"));
        } catch (ExecutionException e) {
            LOG.log(Level.WARNING, "health check '" + check.name() + "' failed", e.getCause());
            return new HealthReport.Entry(check.name(), Health.Status.DOWN,
                    Map.of("error", "check failed: " + e.getCause().getClass().getSimpleName()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new HealthReport.Entry(check.name(), Health.Status.DOWN, Map.of("error", "interrupted"));
        }
    }
}
