package dev.chassis.messaging.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
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

    @Test
    void aMigrationLocationSetButMissingFailsBeforeThePortIsBound() {
        RuntimeException e = StartFailure.of(Chassis.service("checked")
                .property("datasource.migrations.locations", "classpath:db/migrations"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("datasource.migrations.locations")
                .hasMessageContaining("classpath:db/migrations").hasMessageContaining("src/main/resources/db/migrations");
    }

    @Test
    void aBaselineThatIsNotAVersionFailsBeforeThePortIsBound() {
        RuntimeException e = StartFailure.of(Chassis.service("checked")
                .property("datasource.migrations.baseline-version", "one"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("datasource.migrations.baseline-version")
                .hasMessageContaining("'one'");
    }

    @Test
    void migrationsWithoutADatabaseFailBeforeThePortIsBound() {
        RuntimeException e = StartFailure.of(Chassis.service("checked")
                .property("datasource.url", "jdbc:postgresql://127.0.0.1:1/nowhere")
                .property("datasource.connection-timeout", "250ms")
                .property("datasource.migrations.locations", "classpath:migrations/ledger"));
        assertThat(e).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("migrations (classpath:migrations/ledger) failed, so the service does not start")
                .hasMessageContaining("Unable to obtain connection");
    }

    @Test
    void productionModeRefusesTheInMemoryDatabaseAndBrokerTogether() {
        RuntimeException e = StartFailure.of(Chassis.service("checked").property("chassis.profile", "production").property("management.port", "0"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("2 problems")
                .hasMessageContaining("production mode refuses an in-memory database (jdbc:h2:mem:checked) (extension"
                        + " jdbc). Fix: set datasource.url to your database (jdbc:postgresql://host:5432/db) with"
                        + " datasource.username and datasource.password; or allow it with"
                        + " production.allow.in-memory-database: true")
                .hasMessageContaining("production.allow.in-memory-broker: true");
    }

    @Test
    void anExplicitInMemoryUrlIsRefusedToo() {
        RuntimeException e = StartFailure.of(Chassis.service("checked").property("production.enabled", "true").property("management.port", "0")
                .property("production.allow.in-memory-broker", "true")
                .property("datasource.url", "jdbc:h2:mem:orders;DB_CLOSE_DELAY=-1"));
        assertThat(e).isInstanceOf(ConfigException.class)
                .hasMessageContaining("production mode refuses an in-memory database (jdbc:h2:mem:orders)");
    }

    @Test
    void productionModeStartsWithBothExplicitlyAllowed() {
        RunningService s = Chassis.service("allowed").property("server.port", "0")
                .property("chassis.profile", "production").property("management.port", "0")
                .property("production.allow.in-memory-broker", "true")
                .property("production.allow.in-memory-database", "true").start();
        assertThat(s.isRunning()).isTrue();
        s.stop();
    }
}
