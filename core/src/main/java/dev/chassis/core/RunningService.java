package dev.chassis.core;

import java.net.URI;

import dev.chassis.core.config.Config;

/**
 * A started service. Thread-safe.
 */
public interface RunningService extends AutoCloseable {
    /** The bound port (the real one when {@code server.port} is 0). */
    int port();

    /** {@code http://localhost:<port>}. */
    URI uri();

    /** Name, version, instance id, start time and protocols. */
    ServiceInfo info();

    /** The configuration the service started with. */
    Config config();

    /** Whether the service is serving (started and not stopped). */
    boolean isRunning();

    /**
     * Stops gracefully, as on SIGTERM: readiness turns DOWN, the service waits {@code server.shutdown.delay}
     * (time for load balancers to notice), in-flight requests finish (up to {@code server.shutdown.timeout}),
     * then the port closes. Idempotent; returns when stopped.
     */
    void stop();

    /** Same as {@link #stop()}. */
    @Override
    default void close() {
        stop();
    }
}
