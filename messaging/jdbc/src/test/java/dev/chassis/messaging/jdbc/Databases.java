package dev.chassis.messaging.jdbc;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Databases for tests: a real PostgreSQL server (from the {@code io.zonky.test} binaries, started once per test
 * JVM) with a fresh database per test, or a fresh in-memory H2 database.
 */
public final class Databases {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    private Databases() {
    }

    public static synchronized EmbeddedPostgres postgres() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new IllegalStateException("the embedded PostgreSQL server did not start", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
        }
        return postgres;
    }

    /** A new, empty PostgreSQL database; its JDBC URL. */
    public static String newPostgres(String name) {
        String db = name.replaceAll("[^a-z0-9]", "_") + "_" + SEQ.incrementAndGet();
        try (Connection c = postgres().getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return postgres().getJdbcUrl("postgres", db);
    }

    /** A new, empty in-memory H2 database; its JDBC URL. */
    public static String newH2(String name) {
        return "jdbc:h2:mem:" + name + "-" + SEQ.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
    }
}
