package dev.chassis.messaging.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What differs between the databases Chassis keeps its tables in: column types, partial indexes, how a duplicate
 * insert is told apart, and how concurrent schema migrations are kept apart. Not API.
 */
enum Dialect {
    POSTGRESQL("TEXT", "BYTEA"),
    H2("VARCHAR", "VARBINARY");

    final String text;
    final String bytes;

    Dialect(String text, String bytes) {
        this.text = text;
        this.bytes = bytes;
    }

    /** The dialect of a connection's database; other databases are refused with what is supported. */
    static Dialect of(Connection c) throws SQLException {
        String product = c.getMetaData().getDatabaseProductName();
        return switch (product) {
            case "PostgreSQL" -> POSTGRESQL;
            case "H2" -> H2;
            default -> throw new SchemaRefused("Chassis keeps its outbox, inbox and Idempotency-Key tables in"
                    + " PostgreSQL or H2; datasource.url points at " + product);
        };
    }

    /** The index of unsent rows by key: where the relay finds an earlier row of a key that backs off. */
    String unsentByKeyIndex() {
        return this == POSTGRESQL
                ? "CREATE INDEX IF NOT EXISTS chassis_outbox_key ON chassis_outbox (record_key, id) WHERE sent_at IS NULL"
                : "CREATE INDEX IF NOT EXISTS chassis_outbox_key ON chassis_outbox (record_key, id)";
    }

    /** An index on the unsent rows of the outbox: partial on PostgreSQL, on (sent_at, id) on H2. */
    String unsentIndex() {
        return this == POSTGRESQL
                ? "CREATE INDEX IF NOT EXISTS chassis_outbox_unsent ON chassis_outbox (id) WHERE sent_at IS NULL"
                : "CREATE INDEX IF NOT EXISTS chassis_outbox_unsent ON chassis_outbox (sent_at, id)";
    }

    /**
     * An insert that does nothing when the primary key exists — its update count tells — without failing the
     * transaction (on PostgreSQL a failed statement aborts it).
     */
    String insertIfAbsent(String table, List<String> columns) {
        String values = String.join(", ", columns.stream().map(c -> "?").toList());
        String insert = "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES (" + values + ")";
        return this == POSTGRESQL ? insert + " ON CONFLICT DO NOTHING" : insert;
    }

    /** Whether an exception is a duplicate-key error (H2's insertIfAbsent throws one). */
    static boolean duplicate(SQLException e) {
        return "23505".equals(e.getSQLState());
    }
}
