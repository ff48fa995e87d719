package dev.chassis.core.internal.transport;

import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import io.helidon.webserver.ConnectionContext;

/**
 * The end of one HTTP/2 connection, as the requests on its streams see it. Helidon 4.5.0 does not wake a stream's
 * reader when its connection ends: a handler reading a body the client will never finish sending waits until something
 * interrupts it. Here the connection's streams run on {@link #executor(ExecutorService)}, which tells each stream's
 * thread its connection ({@link #current()}); a request reading a body registers what to do when the connection ends
 * ({@link #onEnd(Runnable)}), and the connection's own thread calls {@link #ended()} once it reads no more frames —
 * from then on no stream of it can receive another byte. A gRPC call registers too: Helidon 4.5.0 does not cancel the
 * calls of a connection that ended without resetting them, so a streamed answer (a health Watch, a subscription)
 * would stay open for ever. Thread-safe. Not API.
 */
public final class ConnectionEnd {
    private static final System.Logger LOG = System.getLogger(ConnectionEnd.class.getName());
    private static final ThreadLocal<ConnectionEnd> CURRENT = new ThreadLocal<>();

    private final Set<Runnable> listeners = ConcurrentHashMap.newKeySet();
    private final ConnectionContext connection;
    private volatile boolean ended;

    /** The end of a connection known only by its end (tests). */
    ConnectionEnd() {
        this(null);
    }

    /** @param connection the connection's context: its TLS session tells its streams' calls their peer */
    ConnectionEnd(ConnectionContext connection) {
        this.connection = connection;
    }

    /** The connection's context; null when it was made without one. */
    ConnectionContext connection() {
        return connection;
    }

    /** The HTTP/2 connection whose stream the current thread serves; null on HTTP/1.1 and on any other thread. */
    public static ConnectionEnd current() {
        return CURRENT.get();
    }

    /**
     * Runs {@code listener} once when the connection ends, on the connection's thread — or at once, on this one, if it
     * has ended already.
     *
     * @return what unregisters it (it then does not run, unless it is running already)
     */
    public Runnable onEnd(Runnable listener) {
        listeners.add(listener);
        if (ended && listeners.remove(listener)) {
            listener.run();
        }
        return () -> listeners.remove(listener);
    }

    /** How many requests and calls are registered to hear of the end (for tests: none may stay after it ended). */
    public int listening() {
        return listeners.size();
    }

    /** The connection reads no more frames: runs what its streams registered. */
    void ended() {
        ended = true;
        for (Runnable listener : listeners) {
            if (listeners.remove(listener)) { // a listener runs once, here or in onEnd, whichever removes it
                try {
                    listener.run();
                } catch (RuntimeException e) { // the others must still hear of it
                    LOG.log(System.Logger.Level.WARNING, "a request or call could not be told that its connection ended",
                            e);
                }
            }
        }
    }

    /** The executor the connection's streams are started on: {@code streams}, with this connection known to each. */
    ExecutorService executor(ExecutorService streams) {
        return new AbstractExecutorService() {
            @Override
            public void execute(Runnable task) {
                streams.execute(() -> {
                    CURRENT.set(ConnectionEnd.this);
                    try {
                        task.run();
                    } finally {
                        CURRENT.remove();
                    }
                });
            }

            @Override
            public void shutdown() {
                streams.shutdown();
            }

            @Override
            public List<Runnable> shutdownNow() {
                return streams.shutdownNow();
            }

            @Override
            public boolean isShutdown() {
                return streams.isShutdown();
            }

            @Override
            public boolean isTerminated() {
                return streams.isTerminated();
            }

            @Override
            public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
                return streams.awaitTermination(timeout, unit);
            }
        };
    }
}
