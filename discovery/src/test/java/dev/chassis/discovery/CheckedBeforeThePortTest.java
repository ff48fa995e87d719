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
}
