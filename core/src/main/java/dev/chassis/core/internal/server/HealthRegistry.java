package dev.chassis.core.internal.server;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.chassis.core.health.Health;
import dev.chassis.core.health.HealthCheck;
import dev.chassis.core.health.HealthChecks;
import dev.chassis.core.health.HealthReport;

/**
 * Runs health checks concurrently on virtual threads, each bounded by a timeout, and adds the
 * service's lifecycle: readiness is DOWN until started and from the moment shutdown begins; the
 * startup probe is DOWN until started. Not API.
 */
public final class HealthRegistry implements HealthChecks {
    private static final System.Logger LOG = System.getLogger(HealthRegistry.class.getName());

    enum State { STARTING, SERVING, STOPPING }

    private final List<HealthCheck> checks = new CopyOnWriteArrayList<>();
    private final Duration timeout;
    private volatile State state = State.STARTING;

    HealthRegistry(Duration timeout) {
        this.timeout = timeout;
    }

    /** Adds a check; only while the service is being built. */
    void add(HealthCheck check) {
        if (state != State.STARTING) {
            throw new IllegalStateException("health checks can only be added before the service starts");
        }
        boolean taken = check.name().equals("lifecycle") || check.name().equals("started")
                || checks.stream().anyMatch(c -> c.name().equals(check.name()));
        if (taken) {
            throw new IllegalArgumentException("health check name '" + check.name()
                    + "' is taken; names must be unique and not 'lifecycle' or 'started'");
        }
        checks.add(check);
    }

    void state(State state) {
        this.state = state;
    }

    @Override
    public HealthReport report(HealthCheck.Kind kind) {
        List<HealthReport.Entry> entries = new ArrayList<>();
        State s = state;
        if (kind == HealthCheck.Kind.READINESS) {
            entries.add(new HealthReport.Entry("lifecycle", s == State.SERVING ? Health.Status.UP : Health.Status.DOWN,
                    Map.of("state", s.name().toLowerCase(java.util.Locale.ROOT))));
        } else if (kind == HealthCheck.Kind.STARTUP) {
            entries.add(new HealthReport.Entry("started", s == State.STARTING ? Health.Status.DOWN : Health.Status.UP,
                    Map.of()));
        }
        List<HealthCheck> selected = checks.stream().filter(c -> c.kinds().contains(kind)).toList();
        List<CompletableFuture<Health>> futures = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (HealthCheck c : selected) {
            CompletableFuture<Health> f = new CompletableFuture<>();
            threads.add(Thread.ofVirtual().name("health-" + c.name()).start(() -> {
                try {
                    f.complete(c.check());
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            }));
            futures.add(f);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < selected.size(); i++) {
            entries.add(outcome(selected.get(i), futures.get(i), threads.get(i), deadline));
        }
        boolean up = entries.stream().allMatch(e -> e.status() == Health.Status.UP);
        return new HealthReport(up ? Health.Status.UP : Health.Status.DOWN, entries);
    }

    private HealthReport.Entry outcome(HealthCheck check, CompletableFuture<Health> future, Thread thread,
                                       long deadline) {
        try {
            Health h = future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (h == null) {
                return new HealthReport.Entry(check.name(), Health.Status.DOWN, Map.of("error", "check returned null"));
            }
            return new HealthReport.Entry(check.name(), h.status(), h.data());
        } catch (TimeoutException e) {
            thread.interrupt(); // a check that honours interruption stops; one that does not is left to finish
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
