package dev.chassis.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.config.ConfigException;
import dev.chassis.testing.StartFailure;

/** This module's configuration is checked before the service's port is bound (see StartFailure). */
class CheckedBeforeThePortTest {
    @Test
    void aLeaseTooShortFailsBeforeThePortIsBound() {
        RuntimeException e = StartFailure.of(Chassis.service("checked").property("discovery.etcd.ttl", "5ms"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("discovery.etcd.ttl");
    }
}
