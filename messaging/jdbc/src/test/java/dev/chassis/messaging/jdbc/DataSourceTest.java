package dev.chassis.messaging.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import org.slf4j.LoggerFactory;

import com.zaxxer.hikari.HikariDataSource;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.config.ConfigException;
import dev.chassis.testing.TestClient;

/** The service's data source: H2 in memory by default, a readiness check, pool metrics, checked settings. */
class DataSourceTest {
    @Test
    void hikariLogsToTheSameLogAsChassisWithoutAnSlf4jWarning() {
        // SLF4J bound to java.util.logging, where System.Logger logs: no "no providers" / StaticLoggerBinder warning
        assertThat(LoggerFactory.getILoggerFactory().getClass().getName()).isEqualTo("org.slf4j.jul.JDK14LoggerFactory");
    }

    @Test
    void anEmbeddedDatabaseByDefaultWithReadinessAndPoolMetrics() throws Exception {
        var b = Chassis.service("ledger").property("server.port", "0");
        DataSource db = b.component(DataSource.class);
        RunningService s = b.start();
        try {
            try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
                st.execute("create table entries (id int primary key, amount bigint)");
                st.execute("insert into entries values (1, 250)");
                try (ResultSet rs = st.executeQuery("select amount from entries where id = 1")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(250);
                }
                assertThat(c.getMetaData().getURL()).startsWith("jdbc:h2:mem:ledger");
                // H2 does not close it in its own shutdown hook: handlers still draining after SIGTERM use it
                assertThat(db.unwrap(HikariDataSource.class).getJdbcUrl()).endsWith(";DB_CLOSE_ON_EXIT=FALSE");
            }
            TestClient client = new TestClient(s.uri());
            assertThat(client.get("/health/ready").json().get("checks")).anySatisfy(check -> {
                assertThat(check.get("name").asText()).isEqualTo("database");
                assertThat(check.get("status").asText()).isEqualTo("UP");
            });
            assertThat(client.get("/metrics").body())
                    // (db.client.connection.count: a gauge ending in .count is exposed as _current)
                    .contains("db_client_connection_current{db_client_connection_pool_name=\"ledger-db\","
                            + "db_client_connection_state=\"idle\"}")
                    .contains("db_client_connection_max{db_client_connection_pool_name=\"ledger-db\"} 10");
        } finally {
            s.stop();
        }
    }

    @Test
    void anUnreachableDatabaseStartsTheServiceNotReady() {
        // PostgreSQL on a port where nothing listens: the service starts, readiness is DOWN and says why
        RunningService s = Chassis.service("nodb").property("server.port", "0")
                .property("datasource.url", "jdbc:h2:tcp://127.0.0.1:1/nowhere")
                .property("datasource.connection-timeout", "500ms").start();
        try {
            TestClient client = new TestClient(s.uri());
            assertThat(client.get("/health/ready").status()).isEqualTo(503);
            assertThat(client.get("/health/ready").body()).contains("database");
        } finally {
            s.stop();
        }
    }

    @Test
    void anUnreachableDatabaseSetNotToAffectReadinessIsReportedDownWhileReadinessStaysUp() {
        RunningService s = Chassis.service("nodb-reported").property("server.port", "0")
                .property("datasource.url", "jdbc:h2:tcp://127.0.0.1:1/nowhere")
                .property("datasource.connection-timeout", "500ms")
                .property("health.dependencies.database.affects-readiness", "false").start();
        try {
            TestClient client = new TestClient(s.uri());
            var ready = client.get("/health/ready");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.json().get("checks")).anySatisfy(check -> {
                assertThat(check.get("name").asText()).isEqualTo("database");
                assertThat(check.get("status").asText()).isEqualTo("DOWN");
                assertThat(check.get("data").get("affects-readiness").asBoolean(true)).isFalse();
            });
        } finally {
            s.stop();
        }
    }

    @Test
    void anAffectsReadinessThatIsNotABooleanFailsStartUp() {
        assertThatThrownBy(() -> Chassis.service("x").property("server.port", "0")
                .property("health.dependencies.database.affects-readiness", "sometimes").start())
                .isInstanceOf(ConfigException.class).hasMessageContaining("health.dependencies.database.affects-readiness");
    }

    @Test
    void badSettingsFailStartUp() {
        assertThatThrownBy(() -> Chassis.service("x").property("server.port", "0")
                .property("datasource.url", "postgresql://db/x").start())
                .isInstanceOf(ConfigException.class).hasMessageContaining("datasource.url");
        assertThatThrownBy(() -> Chassis.service("x").property("server.port", "0")
                .property("datasource.maximum-pool-size", "0").start())
                .isInstanceOf(ConfigException.class).hasMessageContaining("datasource.maximum-pool-size");
        assertThatThrownBy(() -> Chassis.service("x").property("server.port", "0")
                .property("datasource.connection-timeout", "10ms").start())
                .isInstanceOf(ConfigException.class).hasMessageContaining("datasource.connection-timeout");
    }

    @Test
    void theServicesInitScriptRunsBeforeItServesAndABadOneFailsStartUp() throws Exception {
        var b = Chassis.service("ledger2").property("server.port", "0")
                .property("datasource.url", "jdbc:h2:mem:ledger-init;DB_CLOSE_DELAY=-1")
                .property("datasource.init-script", "test-schema.sql");
        DataSource db = b.component(DataSource.class);
        RunningService s = b.start();
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute("insert into ledger_entries values (1, 5)"); // the table is there already
        } finally {
            s.stop();
        }
        assertThatThrownBy(() -> Chassis.service("x").property("server.port", "0")
                .property("datasource.url", "jdbc:h2:mem:init-missing;DB_CLOSE_DELAY=-1")
                .property("datasource.init-script", "no-such.sql").start())
                .hasMessageContaining("no-such.sql").hasMessageContaining("not on the class path");
        assertThatThrownBy(() -> Chassis.service("x").property("server.port", "0")
                .property("datasource.url", "jdbc:h2:mem:init-broken;DB_CLOSE_DELAY=-1")
                .property("datasource.init-script", "broken-schema.sql").start())
                .hasMessageContaining("broken-schema.sql failed at: CREATE TABLE broken (");
    }
}
