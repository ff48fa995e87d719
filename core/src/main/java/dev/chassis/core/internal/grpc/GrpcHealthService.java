package dev.chassis.core.internal.grpc;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import dev.chassis.core.health.HealthCheck;
import dev.chassis.core.health.HealthChecks;
import dev.chassis.core.internal.transport.ConnectionEnd;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * {@code grpc.health.v1.Health} fed by the same checks as {@code /health/ready}: {@code ""} is the whole
 * service, each registered gRPC service answers the same readiness; an unknown service is NOT_FOUND
 * (Check) or SERVICE_UNKNOWN (Watch). Watch sends the current status, then every change, until the client
 * cancels or the service shuts down (it then sends NOT_SERVING and ends the stream). One poller serves all
 * watchers: the checks run once per interval, however many streams watch. At most {@code maxWatchers} streams watch at
 * once ({@code health.max-watchers}), and at most {@code maxPerConnection} on one connection
 * ({@code health.max-watchers-per-connection}), so that one client cannot hold every slot; another Watch gets
 * RESOURCE_EXHAUSTED. Not API.
 */
public final class GrpcHealthService extends HealthGrpc.HealthImplBase {
    private final HealthChecks checks;
    private final Set<String> services;
    private final Duration watchInterval;
    private final int maxWatchers;
    private final int maxPerConnection;

    private final AtomicInteger watching = new AtomicInteger();
    private final Map<ServerCallStreamObserver<HealthCheckResponse>, Watcher> watchers = new ConcurrentHashMap<>();
    /** The streams each connection holds (a call's connection: the one its stream runs on). */
    private final Map<ConnectionEnd, Integer> perConnection = new ConcurrentHashMap<>();
    private volatile Thread poller;
    private volatile boolean closed;

    private static final class Watcher {
        final boolean known;
        final ConnectionEnd connection; // null when the call runs on no connection of a Chassis listener
        /**
         * The poller and watch() may both send the first status. A lock, not a monitor: sending can wait for the
         * client's flow-control window, and a virtual thread waiting inside a monitor pins its carrier (JDK 21-23).
         */
        final ReentrantLock sending = new ReentrantLock();
        volatile ServingStatus last;

        Watcher(boolean known, ConnectionEnd connection) {
            this.known = known;
            this.connection = connection;
        }
    }

    public GrpcHealthService(HealthChecks checks, Set<String> services, Duration watchInterval, int maxWatchers,
                             int maxPerConnection) {
        this.maxWatchers = maxWatchers;
        this.maxPerConnection = maxPerConnection;
        this.checks = checks;
        this.services = Set.copyOf(services);
        this.watchInterval = watchInterval;
    }

    @Override
    public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> observer) {
        if (!known(request.getService())) {
            observer.onError(Status.NOT_FOUND.withDescription("unknown service " + request.getService()).asException());
            return;
        }
        observer.onNext(response(status()));
        observer.onCompleted();
    }

    @Override
    public void watch(HealthCheckRequest request, StreamObserver<HealthCheckResponse> observer) {
        ServerCallStreamObserver<HealthCheckResponse> call = (ServerCallStreamObserver<HealthCheckResponse>) observer;
        if (closed) {
            call.onNext(response(ServingStatus.NOT_SERVING));
            call.onCompleted();
            return;
        }
        ConnectionEnd connection = ConnectionEnd.current();
        if (connection != null && !take(connection)) {
            call.onError(Status.RESOURCE_EXHAUSTED.withDescription(maxPerConnection + " health Watch streams are open"
                    + " on this connection (health.max-watchers-per-connection): use Check, or watch fewer services")
                    .asException());
            return;
        }
        if (watching.incrementAndGet() > maxWatchers) {
            watching.decrementAndGet();
            if (connection != null) {
                release(connection);
            }
            call.onError(Status.RESOURCE_EXHAUSTED.withDescription(maxWatchers + " health Watch streams are open"
                    + " (health.max-watchers): use Check, or watch from fewer clients").asException());
            return;
        }
        Watcher w = new Watcher(known(request.getService()), connection);
        call.setOnCancelHandler(() -> forget(call));
        watchers.put(call, w);
        send(call, w, w.known ? status() : ServingStatus.SERVICE_UNKNOWN);
        startPoller();
    }

    /**
     * Tells every watcher NOT_SERVING and ends their streams; called when shutdown begins. The poller, which
     * owns the sending, does it; this waits (briefly) until it has.
     */
    public void close() {
        closed = true;
        Thread p = poller;
        if (p == null) {
            endAll();
            return;
        }
        LockSupport.unpark(p);
        try {
            p.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A watcher leaves: counted out once, whichever of cancel, failure and shutdown sees it first. */
    private void forget(ServerCallStreamObserver<HealthCheckResponse> call) {
        Watcher w = watchers.remove(call);
        if (w != null) {
            watching.decrementAndGet();
            if (w.connection != null) {
                release(w.connection);
            }
        }
    }

    /** One stream more for a connection, unless it holds its most already (counted atomically per connection). */
    private boolean take(ConnectionEnd connection) {
        boolean[] taken = {false};
        perConnection.compute(connection, (c, n) -> {
            int held = n == null ? 0 : n;
            taken[0] = held < maxPerConnection;
            return taken[0] ? held + 1 : n;
        });
        return taken[0];
    }

    /** One stream of a connection fewer; the connection's count goes once it holds none. */
    private void release(ConnectionEnd connection) {
        perConnection.computeIfPresent(connection, (c, n) -> n <= 1 ? null : n - 1);
    }

    private void endAll() {
        watchers.forEach((call, w) -> {
            try {
                if (w.known) {
                    send(call, w, ServingStatus.NOT_SERVING);
                }
                call.onCompleted();
            } catch (RuntimeException gone) {
                // the client went away meanwhile
            }
        });
        watchers.keySet().forEach(this::forget);
    }

    private synchronized void startPoller() {
        if (poller == null && !closed) {
            poller = Thread.ofVirtual().name("grpc-health-watch").start(this::poll);
        }
    }

    private void poll() {
        while (true) {
            LockSupport.parkNanos(watchInterval.toNanos());
            if (closed) {
                endAll();
                return;
            }
            if (watchers.isEmpty()) {
                continue;
            }
            ServingStatus now = status();
            watchers.forEach((call, w) -> {
                if (call.isCancelled()) {
                    forget(call);
                } else if (w.known) {
                    send(call, w, now);
                }
            });
        }
    }

    private void send(ServerCallStreamObserver<HealthCheckResponse> call, Watcher w, ServingStatus status) {
        if (status == w.last) {
            return;
        }
        try {
            w.sending.lock();
            try {
                call.onNext(response(status));
            } finally {
                w.sending.unlock();
            }
            w.last = status;
        } catch (RuntimeException gone) {
            forget(call);
        }
    }

    private boolean known(String service) {
        return service.isEmpty() || services.contains(service);
    }

    private ServingStatus status() {
        return checks.report(HealthCheck.Kind.READINESS).isUp() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    }

    private static HealthCheckResponse response(ServingStatus status) {
        return HealthCheckResponse.newBuilder().setStatus(status).build();
    }
}
