package dev.chassis.core.internal.transport;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What a deadline scheduler does not offer of {@link ScheduledExecutorService}: only
 * {@code schedule(Runnable, long, TimeUnit)} (what {@code io.grpc.Context#withDeadline} calls) and {@link #execute}
 * (runs the command at once, on the calling thread); it is never shut down. Not API.
 */
abstract class RunnablesOnlyScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    /** Runs {@code command} now, on the calling thread. */
    @Override
    public void execute(Runnable command) {
        command.run();
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("only schedule(Runnable, ...)");
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException("only schedule(Runnable, ...)");
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("only schedule(Runnable, ...)");
    }

    /** Not shut down: a no-op. */
    @Override
    public void shutdown() {
    }

    @Override
    public List<Runnable> shutdownNow() {
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return false;
    }
}
