package dev.chassis.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.config.ConfigException;
import dev.chassis.testing.StartFailure;

/** This module's configuration is checked before the service's port is bound (see StartFailure). */
class CheckedBeforeThePortTest {
    @Test
    void anUnknownBackendFailsBeforeThePortIsBound() {
        RuntimeException e = StartFailure.of(Chassis.service("checked").property("discovery.backend", "zookeeper"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("discovery.backend");
    }

    @Test
    void aDnsPortOutOfRangeFailsBeforeThePortIsBound() {
        RuntimeException e = StartFailure.of(Chassis.service("checked").property("discovery.dns.port", "70000"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("discovery.dns.port");
    }

    @Test
    void theDeregistrationDelayCountsInTheGracePeriod() {
        RuntimeException e = StartFailure.of(Chassis.service("checked").property("discovery.deregistration-delay", "16s"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("the graceful shutdown cannot fit"
                + " server.shutdown.grace-period = 30s (default): discovery.deregistration-delay 16s + server.shutdown.delay"
                + " 0s + server.shutdown.timeout 15s = 31s, 1s too long");
    }
}
