package dev.chassis.messaging.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.config.ConfigException;
import dev.chassis.testing.StartFailure;

/** This module's configuration is checked before the service's port is bound (see StartFailure). */
class CheckedBeforeThePortTest {
    @Test
    void aUrlThatIsNotJdbcFailsBeforeThePortIsBound() {
        RuntimeException e = StartFailure.of(Chassis.service("checked").property("datasource.url", "postgres://db/x"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("datasource.url");
    }

    @Test
    void aPoolSizeOutOfRangeFailsBeforeThePortIsBound() {
        RuntimeException e = StartFailure.of(Chassis.service("checked").property("datasource.maximum-pool-size", "0"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("datasource.maximum-pool-size");
    }
}
