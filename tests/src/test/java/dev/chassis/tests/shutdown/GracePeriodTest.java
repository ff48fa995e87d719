package dev.chassis.tests.shutdown;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.config.ConfigException;
import dev.chassis.testing.StartFailure;

/** {@code server.shutdown.grace-period}: a shutdown whose steps cannot fit it stops start-up with the arithmetic. */
class GracePeriodTest {
    @Test
    void aShutdownLongerThanTheDefaultGracePeriodFailsBeforeThePortIsBound() {
        RuntimeException e = StartFailure.of(Chassis.service("slow-stop").property("server.shutdown.delay", "20s"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("the graceful shutdown cannot fit"
                + " server.shutdown.grace-period = 30s (default): server.shutdown.delay 20s + server.shutdown.timeout 15s"
                + " = 35s, 5s too long. Fix: shorten one of them, or raise server.shutdown.grace-period together with"
                + " the pod's terminationGracePeriodSeconds");
    }

    @Test
    void aShorterGracePeriodNamesItsSource() {
        RuntimeException e = StartFailure.of(Chassis.service("tight").property("server.shutdown.grace-period", "10s")
                .property("server.shutdown.timeout", "9500ms").property("server.shutdown.delay", "1s"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("server.shutdown.grace-period = 10s"
                + " (code (Chassis service builder)): server.shutdown.delay 1s + server.shutdown.timeout 9500ms = 10500ms,"
                + " 500ms too long");
    }

    @Test
    void aGracePeriodRaisedWithTheStepsLetsTheServiceStart() {
        // the timeout only waits for requests in flight: none here, so stopping is quick
        RunningService s = Chassis.service("patient").property("server.port", "0")
                .property("server.shutdown.timeout", "35s").property("server.shutdown.grace-period", "40s").start();
        assertThat(s.isRunning()).isTrue();
        s.stop();
    }

    @Test
    void aGracePeriodOfZeroIsRefused() {
        RuntimeException e = StartFailure.of(Chassis.service("zero").property("server.shutdown.grace-period", "0s"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("server.shutdown.grace-period");
    }
}
