package dev.chassis.messaging.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.function.BooleanSupplier;

import javax.sql.DataSource;

/**
 * Deletes what Chassis' tables no longer need: sent outbox rows, handled inbox ids and Idempotency-Key answers older
 * than their retention. Run by the relay's thread on a schedule. Not API.
 */
final class Retention {
    /** Outbox rows are deleted in slices of this many: a large backlog does not become one long transaction. */
    private static final int SLICE = 5000;

    private final DataSource dataSource;
    private final Clock clock;
    private final JdbcSettings.Values settings;
    private final BooleanSupplier running;
    private long nextCleanup;

    /** @param running whether to go on with the next slice (false once the relay stops) */
    Retention(DataSource dataSource, Clock clock, JdbcSettings.Values settings, BooleanSupplier running) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.settings = settings;
        this.running = running;
    }

    /** Cleans up when the cleanup interval has passed since the last time (at once the first time). */
    void cleanupWhenDue() throws SQLException {
        long now = System.nanoTime();
        if (now - nextCleanup < 0) {
            return;
        }
        nextCleanup = now + settings.cleanupInterval().toNanos();
        cleanup();
    }

    /** Deletes sent outbox rows, inbox ids and Idempotency-Key answers older than their retention. */
    void cleanup() throws SQLException {
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            int deleted;
            do {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM chassis_outbox WHERE id IN (SELECT id FROM"
                        + " chassis_outbox WHERE sent_at < ? ORDER BY id LIMIT " + SLICE + ")")) {
                    ps.setObject(1, now.minus(settings.outboxRetention()));
                    deleted = ps.executeUpdate();
                }
            } while (deleted == SLICE && running.getAsBoolean());
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM chassis_inbox WHERE handled_at < ?")) {
                ps.setObject(1, now.minus(settings.inboxRetention()));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM chassis_idempotency WHERE (state = 'done' AND"
                    + " completed_at < ?) OR (state = 'pending' AND locked_until < ?)")) {
                ps.setObject(1, now.minus(settings.idempotencyRetention()));
                ps.setObject(2, now.minus(settings.idempotencyRetention()));
                ps.executeUpdate();
            }
        }
    }
}
