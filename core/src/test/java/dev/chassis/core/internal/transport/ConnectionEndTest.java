package dev.chassis.core.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class ConnectionEndTest {
    @Test
    void aListenerRunsOnceWhenTheConnectionEnds() {
        ConnectionEnd end = new ConnectionEnd();
        AtomicInteger runs = new AtomicInteger();
        end.onEnd(runs::incrementAndGet);
        assertThat(runs).hasValue(0);
        end.ended();
        end.ended();
        assertThat(runs).hasValue(1);
    }

    @Test
    void aListenerRegisteredAfterTheEndRunsAtOnce() {
        ConnectionEnd end = new ConnectionEnd();
        end.ended();
        AtomicInteger runs = new AtomicInteger();
        end.onEnd(runs::incrementAndGet);
        assertThat(runs).hasValue(1);
        end.ended();
        assertThat(runs).hasValue(1);
    }

    @Test
    void anUnregisteredListenerDoesNotRun() {
        ConnectionEnd end = new ConnectionEnd();
        AtomicInteger runs = new AtomicInteger();
        Runnable stop = end.onEnd(runs::incrementAndGet);
        stop.run();
        end.ended();
        assertThat(runs).hasValue(0);
    }

    @Test
    void aThreadThatRanAStreamForgetsItsConnection() throws Exception {
        ConnectionEnd end = new ConnectionEnd();
        ExecutorService one = Executors.newSingleThreadExecutor(); // the same thread for both tasks
        try {
            assertThat(end.executor(one).submit(ConnectionEnd::current).get(10, TimeUnit.SECONDS)).isSameAs(end);
            assertThat(one.submit(ConnectionEnd::current).get(10, TimeUnit.SECONDS)).isNull();
        } finally {
            one.shutdownNow();
        }
    }

    @Test
    void aListenerThatFailsDoesNotKeepTheOthersFromRunning() {
        ConnectionEnd end = new ConnectionEnd();
        AtomicInteger runs = new AtomicInteger();
        end.onEnd(() -> {
            throw new IllegalStateException("a listener's bug");
        });
        end.onEnd(runs::incrementAndGet);
        end.onEnd(runs::incrementAndGet);
        end.ended();
        assertThat(runs).hasValue(2);
    }

    @Test
    void theStreamsThreadsKnowTheirConnectionAndNoOtherThreadDoes() throws Exception {
        ConnectionEnd end = new ConnectionEnd();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            ExecutorService streams = end.executor(threads);
            assertThat(streams.submit(ConnectionEnd::current).get(10, TimeUnit.SECONDS)).isSameAs(end);
            assertThat(CompletableFuture.supplyAsync(ConnectionEnd::current, threads).get(10, TimeUnit.SECONDS)).isNull();
            assertThat(ConnectionEnd.current()).isNull();
        }
    }
}
