package dev.chassis.core.internal.server;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;

import dev.chassis.core.config.Config;
import dev.chassis.core.internal.transport.InFlight;

/**
 * Phases 5 and 6, drain and close: readiness DOWN and the stopping hooks (consumers finish, deregistration), the
 * shutdown delay while load balancers notice, waiting for in-flight requests and calls, closing the port, then the
 * stopped hooks in reverse order (clients, channels, pools, telemetry last). Each step is timed in the log. Not API.
 */
final class Shutdown {
    private static final System.Logger LOG = System.getLogger(Shutdown.class.getName());

    private Shutdown() {
    }

    static void run(String name, Config config, HealthRegistry health, Assembly assembly, InFlight inFlight,
                    Listener listener) {
        long begin = System.nanoTime();
        long drained = begin;
        try {
            health.state(HealthRegistry.State.STOPPING);
            LOG.log(Level.INFO, "{0}: shutting down; readiness is DOWN", name);
            runAll(assembly.stopping, "stopping");
            sleep(config.get(CoreSettings.SHUTDOWN_DELAY));
            inFlight.drain();
            long deadline = System.nanoTime() + config.get(CoreSettings.SHUTDOWN_TIMEOUT).toNanos();
            while (inFlight.count() > 0 && System.nanoTime() - deadline < 0) {
                sleep(Duration.ofMillis(5));
            }
            long left = inFlight.count();
            if (left > 0) {
                LOG.log(Level.WARNING, "{0}: {1} requests still in flight after the shutdown timeout; closing anyway",
                        name, left);
            }
            drained = System.nanoTime();
        } finally {
            try {
                listener.server().stop();
            } finally {
                listener.closeGuards();
                long closed = System.nanoTime();
                runAll(assembly.stopped, "stopped");
                LOG.log(Level.INFO, "{0}: stopped after {1,number,#} ms (drain {2,number,#} ms, port {3,number,#} ms,"
                        + " release {4,number,#} ms)", name,
                        millis(begin, System.nanoTime()), millis(begin, drained), millis(drained, closed),
                        millis(closed, System.nanoTime()));
            }
        }
    }

    /** Runs hooks, logging failures; {@code stopped} hooks run last-registered first, as resources close in reverse. */
    static void runAll(List<Runnable> hooks, String phase) {
        for (Runnable r : phase.equals("stopped") ? hooks.reversed() : hooks) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a " + phase + " hook failed", e);
            }
        }
    }

    private static long millis(long from, long to) {
        return (to - from) / 1_000_000;
    }

    private static void sleep(Duration d) {
        if (d.isZero()) {
            return;
        }
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
