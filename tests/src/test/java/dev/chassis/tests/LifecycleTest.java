package dev.chassis.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.config.ConfigException;

/** Start-up and shutdown edge cases: nothing is left half-started, stop is safe to call twice at once. */
class LifecycleTest {
    @Test
    void aPortInUseFailsStartUp() {
        try (RunningService first = Chassis.service("first").property("server.port", "0").start()) {
            assertThatThrownBy(() -> Chassis.service("second").property("server.port", String.valueOf(first.port()))
                    .property("server.host", "0.0.0.0").start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot listen on 0.0.0.0:" + first.port());
        }
    }

    @Test
    void aFailingStartedHookStopsTheServerItStarted() throws Exception {
        int port = freePort();
        assertThatThrownBy(() -> Chassis.service("hooked").property("server.port", String.valueOf(port))
                .property("greeting.fail-on-start", "true").start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("greeting refuses to start");
        try (ServerSocket again = new ServerSocket(port)) {
            assertThat(again.getLocalPort()).as("the port was released").isEqualTo(port);
        }
    }

    @Test
    void concurrentStopsBothReturnWhenStopped() throws Exception {
        RunningService s = Chassis.service("twice").property("server.port", "0")
                .property("server.shutdown.delay", "300ms").start();
        CountDownLatch go = new CountDownLatch(1);
        Thread a = Thread.ofPlatform().start(() -> await(go, s));
        Thread b = Thread.ofPlatform().start(() -> await(go, s));
        go.countDown();
        a.join();
        b.join();
        assertThat(s.isRunning()).isFalse();
        try (ServerSocket again = new ServerSocket(s.port())) {
            assertThat(again.isBound()).as("both stops returned only after the port closed").isTrue();
        }
    }

    @Test
    void aTypoInAnExtensionNameFailsStartUp() {
        assertThatThrownBy(() -> Chassis.service("typo").property("server.port", "0")
                .property("chassis.extensions.helth.enabled", "false").start())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("chassis.extensions.helth")
                .hasMessageContaining("names no extension")
                .hasMessageContaining("health");
    }

    private static void await(CountDownLatch go, RunningService s) {
        try {
            go.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        s.stop();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
