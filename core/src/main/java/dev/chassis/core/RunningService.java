package dev.chassis.core;

import java.net.URI;

import dev.chassis.core.config.Config;

/**
 * A started service. Thread-safe.
 */
public interface RunningService extends AutoCloseable {
    /** The bound port (the real one when {@code server.port} is 0). */
    int port();

    /** {@code http://localhost:<port>} ({@code https} when the port serves TLS). */
    URI uri();

    /**
     * The bound management port — where {@code /health/*}, {@code /metrics}, {@code /observe/*}, {@code /info} and
     * gRPC reflection are served: {@code management.port} (the real one when it is 0), or {@link #port()} when
     * {@code management.port} is unset.
     */
    int managementPort();

    /**
     * {@code http://localhost:<managementPort>} ({@code https} when that port serves TLS); {@link #uri()} when
     * {@code management.port} is unset.
     */
    URI managementUri();

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
