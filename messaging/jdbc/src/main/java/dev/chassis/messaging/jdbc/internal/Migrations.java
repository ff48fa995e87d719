package dev.chassis.messaging.jdbc.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.callback.BaseCallback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.output.MigrateResult;

import dev.chassis.core.config.Config;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.config.Setting;

/**
 * The service's own schema migrations: Flyway, run at start-up from {@code db/migration} on the class path
 * ({@code V1__orders.sql}, {@code V2__...}), before the service takes requests or messages. Flyway keeps its history
 * in {@code flyway_schema_history}, apart from Chassis' own tables ({@code chassis_schema} and {@link Schema}).
 * Not API.
 */
final class Migrations {
    private static final System.Logger LOG = System.getLogger(Migrations.class.getName());
    private static final String CLASSPATH = "classpath:";
    private static final String FILESYSTEM = "filesystem:";
    /**
     * Flyway's INFO lines (edition, database, "validated", "creating", "migrating", "applied": eight or more per
     * start) are said once by Chassis' own line; quiet unless java.util.logging is configured by a file or class, or
     * sets a level for {@code org.flywaydb}. Held here because java.util.logging keeps its loggers only weakly.
     */
    private static final Logger FLYWAY_LOG = Logger.getLogger("org.flywaydb");

    static final Setting<Boolean> ENABLED = Setting.bool("datasource.migrations.enabled", true)
            .describedAs("whether the service's own Flyway migrations run at start-up, before the port opens");
    static final Setting<List<String>> LOCATIONS = Setting.list("datasource.migrations.locations",
                    List.of("classpath:db/migration"))
            .describedAs("where the migrations are (classpath:... or filesystem:...); a default location that does"
                    + " not exist means no migrations, a location set here must exist");
    static final Setting<String> BASELINE_VERSION = Setting.string("datasource.migrations.baseline-version", "0")
            .describedAs("the version recorded for a database that has tables but no migration history yet (one"
                    + " that ran before it had migrations); migrations above it run, so 0 runs them all");

    private Migrations() {
    }

    static List<Setting<?>> settings() {
        return List.of(ENABLED, LOCATIONS, BASELINE_VERSION);
    }

    /**
     * Runs the pending migrations, or nothing when turned off or there are none to find.
     *
     * @throws ConfigException       when a location set in the configuration does not exist, or the baseline is not
     *                               a version
     * @throws IllegalStateException when a migration failed or the database could not be reached: start-up stops
     */
    static void run(Config config, DataSource dataSource, ClassLoader loader) {
        String baseline = config.get(BASELINE_VERSION);
        try {
            MigrationVersion.fromVersion(baseline);
        } catch (FlywayException e) {
            throw new ConfigException(List.of(BASELINE_VERSION.key() + " = '" + baseline + "' (from "
                    + config.sourceOf(BASELINE_VERSION.key()).orElse("configuration") + ") is not a version such as"
                    + " 0, 1 or 2.1: " + e.getMessage()));
        }
        if (!config.get(ENABLED)) {
            return;
        }
        List<String> locations = config.get(LOCATIONS);
        List<String> existing = new ArrayList<>();
        for (String location : locations) {
            if (exists(location, loader)) {
                existing.add(location);
            } else if (config.raw(LOCATIONS.key()).isPresent()) {
                throw new ConfigException(List.of(LOCATIONS.key() + " names " + location + " (from "
                        + config.sourceOf(LOCATIONS.key()).orElse("configuration") + "), which does not exist"
                        + (location.startsWith(CLASSPATH) ? " on the class path (put the migrations in"
                        + " src/main/resources/" + path(location) + ")" : "")));
            }
        }
        if (existing.isEmpty()) {
            return; // no db/migration: the service has no migrations
        }
        quietFlyway();
        FailedStatement failed = new FailedStatement();
        try {
            Flyway flyway = Flyway.configure(loader)
                    .callbacks(failed)
                    .dataSource(dataSource)
                    .locations(existing.toArray(String[]::new))
                    // the schema is not empty before the first migration when Chassis' tables are there already
                    .baselineOnMigrate(true)
                    .baselineVersion(baseline)
                    .load();
            MigrateResult result = flyway.migrate();
            if (result.migrationsExecuted > 0) {
                LOG.log(System.Logger.Level.INFO, "applied {0} migration(s) from {1}: the schema is at version {2}",
                        result.migrationsExecuted, String.join(", ", existing), result.targetSchemaVersion);
            }
        } catch (FlywayException e) {
            throw new IllegalStateException("the service's database migrations (" + String.join(", ", existing)
                    + ") failed, so the service does not start: " + failed.explain(String.valueOf(e.getMessage()).strip()), e);
        }
    }

    /**
     * The statement that failed: Flyway's message names the script, line and error but shows the statement only when
     * its debug logging is on (and then says "Run Flyway with -X", which means nothing to a Chassis service).
     */
    private static final class FailedStatement extends BaseCallback {
        private static final String HIDDEN = "Run Flyway with -X option to see the actual statement causing the problem";
        private volatile String sql;

        @Override
        public boolean supports(Event event, Context context) {
            return event == Event.AFTER_EACH_MIGRATE_STATEMENT_ERROR;
        }

        @Override
        public void handle(Event event, Context context) {
            if (context.getStatement() != null) {
                sql = context.getStatement().getSql();
            }
        }

        String explain(String message) {
            String failed = sql;
            if (failed == null) {
                return message;
            }
            String shown = failed.strip().length() > 500 ? failed.strip().substring(0, 500) + "..." : failed.strip();
            return message.contains(HIDDEN) ? message.replace(HIDDEN, shown) : message + "\nStatement  : " + shown;
        }
    }

    private static void quietFlyway() {
        if (FLYWAY_LOG.getLevel() == null && System.getProperty("java.util.logging.config.file") == null
                && System.getProperty("java.util.logging.config.class") == null) {
            FLYWAY_LOG.setLevel(Level.WARNING);
        }
    }

    /** Whether a Flyway location exists; locations of other kinds (cloud storage...) are taken to exist. */
    private static boolean exists(String location, ClassLoader loader) {
        if (location.startsWith(FILESYSTEM)) {
            return Files.isDirectory(Path.of(location.substring(FILESYSTEM.length())));
        }
        if (location.startsWith(CLASSPATH) || !location.contains(":")) {
            return loader.getResource(path(location)) != null;
        }
        return true;
    }

    /** A class-path location as a resource path: {@code classpath:/db/migration} → {@code db/migration}. */
    private static String path(String location) {
        String p = location.startsWith(CLASSPATH) ? location.substring(CLASSPATH.length()) : location;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        return p;
    }
}
