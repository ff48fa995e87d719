package dev.chassis.messaging.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.config.ConfigException;
import dev.chassis.testing.StartFailure;

/** This module's configuration is checked before the service's port is bound (see StartFailure). */
class CheckedBeforeThePortTest {
    @Test
    void anUnknownAcksValueFailsBeforeThePortIsBound() {
        RuntimeException e = StartFailure.of(Chassis.service("checked").property("messaging.broker", "kafka")
                .property("messaging.kafka.acks", "most"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("messaging.kafka.acks");
    }
}
