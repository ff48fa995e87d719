package dev.chassis.messaging.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;

import dev.chassis.core.config.Config;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.config.Setting;
import dev.chassis.core.health.Health;
import dev.chassis.core.health.HealthCheck;
import dev.chassis.core.spi.ChassisExtension;
import dev.chassis.core.spi.ExtensionContext;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;

/**
 * {@code chassis-messaging-jdbc}'s data source: a HikariCP pool from {@code datasource.*} — an in-memory H2
 * database named after the service by default — provided as {@code service.component(DataSource.class)}, with
 * a {@code database} readiness check and the pool's metrics. Not API.
 */
public final class JdbcExtension implements ChassisExtension {
    static final Setting<String> URL = Setting.string("datasource.url", null)
            .describedAs("the JDBC URL; default: an in-memory H2 database named after the service");
    static final Setting<String> USERNAME = Setting.string("datasource.username", null).describedAs("the user");
    static final Setting<String> PASSWORD = Setting.string("datasource.password", null).describedAs("the password");
    static final Setting<Integer> MAX_POOL = Setting.integer("datasource.maximum-pool-size", 10).range(1, 1000)
            .describedAs("the most connections the pool opens");
    static final Setting<Duration> CONNECTION_TIMEOUT = Setting.duration("datasource.connection-timeout",
            Duration.ofSeconds(5)).describedAs("how long a caller waits for a connection from the pool");

    @Override
    public String name() {
        return "jdbc";
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(URL, USERNAME, PASSWORD, MAX_POOL, CONNECTION_TIMEOUT);
    }

    @Override
    public void register(ExtensionContext context) {
        Config config = context.config();
        String url = config.find(URL).orElse("jdbc:h2:mem:" + context.service().name() + ";DB_CLOSE_DELAY=-1");
        if (!url.startsWith("jdbc:")) {
            throw new ConfigException(List.of("datasource.url must be a JDBC URL (jdbc:postgresql://host/db,"
                    + " jdbc:h2:...); it does not start with jdbc:"));
        }
        Duration timeout = config.get(CONNECTION_TIMEOUT);
        if (timeout.toMillis() < 250) {
            throw new ConfigException(List.of("datasource.connection-timeout must be at least 250ms (HikariCP's"
                    + " minimum); it is " + timeout));
        }
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(context.service().name() + "-db");
        hikari.setJdbcUrl(url);
        config.find(USERNAME).ifPresent(hikari::setUsername);
        config.find(PASSWORD).ifPresent(hikari::setPassword);
        hikari.setMaximumPoolSize(config.get(MAX_POOL));
        hikari.setConnectionTimeout(timeout.toMillis());
        // start without a database reachable: the pool connects on demand, and readiness says DOWN meanwhile
        hikari.setInitializationFailTimeout(-1);
        HikariDataSource dataSource = new HikariDataSource(hikari);
        context.onStopped(dataSource::close);
        context.provide(DataSource.class, dataSource);
        context.healthCheck(HealthCheck.readiness("database", () -> {
            try (Connection c = dataSource.getConnection()) {
                return c.isValid(1) ? Health.up() : Health.down("the database did not answer a validation query");
            } catch (SQLException e) {
                return Health.down("the database cannot be reached");
            }
        }));
        Meter meter = context.openTelemetry().getMeter("dev.chassis.jdbc");
        AttributeKey<String> pool = AttributeKey.stringKey("db.client.connection.pool.name");
        AttributeKey<String> state = AttributeKey.stringKey("db.client.connection.state");
        meter.upDownCounterBuilder("db.client.connection.count").setUnit("{connection}")
                .setDescription("Connections of the pool, by state (idle, used).")
                .buildWithCallback(m -> {
                    HikariPoolMXBean bean = dataSource.getHikariPoolMXBean();
                    if (bean != null) {
                        m.record(bean.getIdleConnections(), Attributes.of(pool, hikari.getPoolName(), state, "idle"));
                        m.record(bean.getActiveConnections(), Attributes.of(pool, hikari.getPoolName(), state, "used"));
                    }
                });
        meter.upDownCounterBuilder("db.client.connection.max").setUnit("{connection}")
                .setDescription("The most connections the pool opens.")
                .buildWithCallback(m -> m.record(hikari.getMaximumPoolSize(), Attributes.of(pool, hikari.getPoolName())));
        meter.upDownCounterBuilder("db.client.connection.pending_requests").setUnit("{request}")
                .setDescription("Callers waiting for a connection.")
                .buildWithCallback(m -> {
                    HikariPoolMXBean bean = dataSource.getHikariPoolMXBean();
                    if (bean != null) {
                        m.record(bean.getThreadsAwaitingConnection(), Attributes.of(pool, hikari.getPoolName()));
                    }
                });
    }
}
