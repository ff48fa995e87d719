package dev.chassis.messaging.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
import dev.chassis.core.spi.IdempotencyStore;
import dev.chassis.messaging.jdbc.Inbox;
import dev.chassis.messaging.jdbc.Outbox;
import dev.chassis.messaging.jdbc.Transactions;
import dev.chassis.messaging.spi.EventSender;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;

/**
 * {@code chassis-messaging-jdbc}: the service's data source — a HikariCP pool from {@code datasource.*}, an
 * in-memory H2 database named after the service by default — with a {@code database} readiness check and pool
 * metrics; on it, Chassis' tables, the {@link Outbox} and its relay, the {@link Inbox} and Idempotency-Key answers,
 * with backlog metrics; the service's own migrations ({@code db/migration}, Flyway) at start-up. Provided as
 * {@code service.component(DataSource.class)} (and Transactions, Outbox, Inbox). Not API.
 */
public final class JdbcExtension implements ChassisExtension {
    private static final System.Logger LOG = System.getLogger(JdbcExtension.class.getName());
    static final Setting<String> URL = Setting.string("datasource.url", null)
            .describedAs("the JDBC URL; default: an in-memory H2 database named after the service");
    static final Setting<Boolean> ALLOW_MEMORY = Setting.bool("production.allow.in-memory-database", false)
            .describedAs("in production mode, allow an in-memory H2 database (jdbc:h2:mem:, the default): its data"
                    + " and outbox die with the process");
    static final Setting<String> USERNAME = Setting.string("datasource.username", null).describedAs("the user");
    static final Setting<String> PASSWORD = Setting.string("datasource.password", null).secret()
            .describedAs("the password");
    static final Setting<Integer> MAX_POOL = Setting.integer("datasource.maximum-pool-size", 10).range(1, 1000)
            .describedAs("the most connections the pool opens");
    static final Setting<String> INIT_SCRIPT = Setting.string("datasource.init-script", null)
            .describedAs("deprecated, use migrations (db/migration): a class-path SQL script (idempotent: CREATE TABLE IF"
                    + " NOT EXISTS ...) run when the database is first reached, after the migrations, before consumers"
                    + " start");
    static final Setting<Duration> CONNECTION_TIMEOUT = Setting.duration("datasource.connection-timeout",
            Duration.ofSeconds(5)).describedAs("how long a caller waits for a connection from the pool");
    static final Setting<String> TLS_BUNDLE = Setting.string("datasource.tls.bundle", null)
            .describedAs("the tls.bundles name to connect to PostgreSQL with: sslmode=verify-full (the server's"
                    + " certificate chains to the bundle's trust and names the URL's host), the bundle's certificate as"
                    + " the client's");

    private final Relay.Listener relayListener;

    /** The extension as {@link java.util.ServiceLoader} creates it. */
    public JdbcExtension() {
        this(Relay.Listener.NONE);
    }

    /** With a listener that the outbox relay tells what it does (for tests that stop it at a given point). */
    JdbcExtension(Relay.Listener relayListener) {
        this.relayListener = relayListener;
    }

    @Override
    public String name() {
        return "jdbc";
    }

    @Override
    public List<Setting<?>> settings() {
        List<Setting<?>> all = new ArrayList<>(List.of(URL, ALLOW_MEMORY, USERNAME, PASSWORD, MAX_POOL, CONNECTION_TIMEOUT,
                TLS_BUNDLE, INIT_SCRIPT));
        all.addAll(Migrations.settings());
        all.addAll(JdbcSettings.all());
        return all;
    }

    /**
     * An H2 URL with {@code DB_CLOSE_ON_EXIT=FALSE} unless it says otherwise: H2 closes its databases in a JVM shutdown
     * hook of its own, concurrently with the service's drain, where handlers still in flight need them; the service
     * closes the pool after the drain instead.
     */
    static String keepOpenAtExit(String url) {
        return url.startsWith("jdbc:h2:") && !url.toUpperCase(Locale.ROOT).contains("DB_CLOSE_ON_EXIT")
                ? url + ";DB_CLOSE_ON_EXIT=FALSE" : url;
    }

    @Override
    public void register(ExtensionContext context) {
        Config config = context.config();
        String url = config.find(URL).orElse("jdbc:h2:mem:" + context.service().name() + ";DB_CLOSE_DELAY=-1");
        if (!url.startsWith("jdbc:")) {
            throw new ConfigException(List.of("datasource.url must be a JDBC URL (jdbc:postgresql://host/db,"
                    + " jdbc:h2:...); it does not start with jdbc:"));
        }
        if (url.toLowerCase(Locale.ROOT).startsWith("jdbc:h2:mem:")) {
            context.production().refuseUnless(ALLOW_MEMORY, "an in-memory database (" + url.substring(0,
                    url.indexOf(';') < 0 ? url.length() : url.indexOf(';')) + ")", "set datasource.url to your database"
                    + " (jdbc:postgresql://host:5432/db) with datasource.username and datasource.password");
        }
        Duration timeout = config.get(CONNECTION_TIMEOUT);
        if (timeout.toMillis() < 250) {
            throw new ConfigException(List.of("datasource.connection-timeout must be at least 250ms (HikariCP's"
                    + " minimum); it is " + timeout));
        }
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(context.service().name() + "-db");
        hikari.setJdbcUrl(keepOpenAtExit(url));
        config.find(USERNAME).ifPresent(hikari::setUsername);
        config.find(PASSWORD).ifPresent(hikari::setPassword);
        hikari.setMaximumPoolSize(config.get(MAX_POOL));
        hikari.setConnectionTimeout(timeout.toMillis());
        // start without a database reachable: the pool connects on demand, and readiness says DOWN meanwhile
        hikari.setInitializationFailTimeout(-1);
        DatabaseTls tls = context.tls(TLS_BUNDLE).map(t -> DatabaseTls.configure(t, TLS_BUNDLE.key(), url, hikari))
                .orElse(null);
        HikariDataSource dataSource = new HikariDataSource(hikari);
        context.lifecycle().onStopped(() -> {
            dataSource.close();
            if (tls != null) {
                tls.close();
            }
        });
        JdbcTransactions transactions = new JdbcTransactions(dataSource);
        context.components().provide(DataSource.class, dataSource);
        context.components().provide(Transactions.class, transactions);
        // affects readiness by default: a service with a database cannot answer without it (docs/standard.md)
        context.health().add(HealthCheck.dependency("database", true, () -> {
            try (Connection c = dataSource.getConnection()) {
                return c.isValid(1) ? Health.up() : Health.down("the database did not answer a validation query");
            } catch (SQLException e) {
                String refused = tls == null ? null : tls.describe(e);
                return Health.down(refused != null ? refused : "the database cannot be reached");
            }
        }));
        Meter meter = context.openTelemetry().getMeter("dev.chassis.jdbc");
        poolMetrics(meter, hikari, dataSource);
        outboxAndInbox(context, dataSource, transactions, meter, tls);
    }

    private static ClassLoader loader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : JdbcExtension.class.getClassLoader();
    }

    /** The tables, the outbox and its relay, the inbox, Idempotency-Key answers, and their metrics. */
    private void outboxAndInbox(ExtensionContext context, DataSource dataSource, JdbcTransactions transactions,
                                Meter meter, DatabaseTls tls) {
        JdbcSettings.Values settings = JdbcSettings.Values.of(context.config());
        String initScript = context.config().find(INIT_SCRIPT).orElse(null);
        if (initScript != null) {
            LOG.log(System.Logger.Level.WARNING, "datasource.init-script is deprecated: move " + initScript + " to"
                    + " src/main/resources/db/migration/V1__" + initScript.replaceAll("^.*/|\\.sql$", "")
                    + ".sql, a migration that runs once (docs/database.md, \"Your own tables\")");
        }
        Schema schema = new Schema(dataSource, initScript);
        ClassLoader loader = loader();
        // Once everything is bound and checked, as the last step before the port opens: a service that cannot start
        // changes no schema. The service's tables come before Chassis' own: on a new database Flyway finds it empty.
        context.lifecycle().onBound(() -> {
            try {
                Migrations.run(context.config(), dataSource, loader);
            } catch (IllegalStateException e) {
                String refused = tls == null ? null : tls.describe(e);
                throw refused == null ? e : new IllegalStateException(refused, e);
            }
            try {
                schema.ensure();
            } catch (SchemaRefused e) {
                throw new IllegalStateException(e.getMessage(), e);
            } catch (SQLException e) {
                String refused = tls == null ? null : tls.describe(e);
                if (refused != null) {
                    // a certificate the server refuses, or one it presents that is not trusted, does not heal by waiting
                    throw new IllegalStateException(refused, e);
                }
                LOG.log(System.Logger.Level.WARNING, "the database cannot be reached at start-up; Chassis creates its"
                        + " tables when it can: " + e.getMessage());
            }
        });
        Backlog backlog = new Backlog(dataSource, schema, context.clock());
        EventSender sender = context.components().require(EventSender.class, "the outbox publishes through the"
                + " messaging module: add dev.chassis:chassis-messaging (with a broker binding such as"
                + " chassis-messaging-kafka), or turn this module off with chassis.extensions.jdbc.enabled: false");
        Relay relay = new Relay(dataSource, schema, sender, context.clock(), settings,
                meter.counterBuilder("chassis.outbox.published").setUnit("{event}")
                        .setDescription("Outbox events published and acknowledged by the broker.").build(),
                meter.counterBuilder("chassis.outbox.publish_failures").setUnit("{event}")
                        .setDescription("Outbox events the broker did not acknowledge (tried again, or parked after"
                                + " outbox.max-attempts refusals).").build(),
                meter.histogramBuilder("chassis.outbox.delay").setUnit("s")
                        .setDescription("From writing an outbox event to the broker's acknowledgement.")
                        .setExplicitBucketBoundariesAdvice(List.of(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                                2.5, 5.0, 10.0, 30.0, 60.0)).build(), backlog, relayListener);
        context.components().provide(Outbox.class, new JdbcOutbox(sender, context.clock(),
                relay::wake));
        context.components().provide(Inbox.class, new JdbcInbox(transactions, schema, context.clock(),
                meter.counterBuilder("chassis.inbox.duplicates").setUnit("{message}")
                        .setDescription("Messages skipped because their group had handled their id already.").build()));
        if (settings.idempotency()) {
            context.components().provide(IdempotencyStore.class, new JdbcIdempotencyStore(dataSource, schema, context.clock(), settings.lease(),
                    settings.waitForInProgress()));
        }
        meter.upDownCounterBuilder("chassis.outbox.backlog").setUnit("{event}")
                .setDescription("Outbox events not yet published.")
                .buildWithCallback(m -> backlog.read().ifPresent(b -> m.record(b.count())));
        meter.upDownCounterBuilder("chassis.outbox.parked").setUnit("{event}")
                .setDescription("Outbox events parked after outbox.max-attempts refusals (not tried until replayed).")
                .buildWithCallback(m -> backlog.read().ifPresent(b -> m.record(b.parked())));
        meter.gaugeBuilder("chassis.outbox.oldest_unsent.age").setUnit("s")
                .setDescription("Age of the oldest outbox event not yet published (0 when none).")
                .buildWithCallback(m -> backlog.read().ifPresent(b -> m.record(b.oldestAgeSeconds())));
        context.lifecycle().onStarted(running -> relay.start(context.service().name()));
        context.lifecycle().onStopping(() -> relay.stop(settings.publishTimeout().plusSeconds(1)));
    }

    private static void poolMetrics(Meter meter, HikariConfig hikari, HikariDataSource dataSource) {
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
