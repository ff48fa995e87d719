package dev.chassis.messaging.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;

import javax.sql.DataSource;

/**
 * The outbox backlog for {@code /metrics}: unsent rows and the age of the oldest, and the parked rows, read by the relay's thread at most
 * once a second with a one-second query timeout, so that a scrape never waits on the database; nothing while the
 * database is away. Not API.
 */
final class Backlog {
    /** Unsent rows that are not parked, the age of the oldest of them, and parked rows. */
    record Reading(long count, double oldestAgeSeconds, long parked) {
    }

    private final DataSource dataSource;
    private final Schema schema;
    private final Clock clock;
    private volatile long readAt = Long.MIN_VALUE;
    private volatile Optional<Reading> last = Optional.empty();

    Backlog(DataSource dataSource, Schema schema, Clock clock) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.clock = clock;
    }

    /** The last reading; empty while the database is away. Never waits (a scrape must not). */
    Optional<Reading> read() {
        return last;
    }

    /** Reads again when the last reading is a second old; called by the relay's thread. */
    void refreshWhenDue() {
        long now = System.nanoTime();
        if (readAt != Long.MIN_VALUE && now - readAt < 1_000_000_000L) {
            return;
        }
        readAt = now;
        if (schema.dialect() == null) {
            last = Optional.empty(); // the tables are not there yet
            return;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(CASE WHEN parked_at IS NULL THEN 1 END),"
                     + " MIN(CASE WHEN parked_at IS NULL THEN created_at END), COUNT(parked_at) FROM chassis_outbox"
                     + " WHERE sent_at IS NULL")) {
            ps.setQueryTimeout(1);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                OffsetDateTime oldest = rs.getObject(2, OffsetDateTime.class);
                double age = oldest == null ? 0
                        : Math.max(0, Duration.between(oldest.toInstant(), clock.instant()).toMillis() / 1000.0);
                last = Optional.of(new Reading(rs.getLong(1), age, rs.getLong(3)));
            }
        } catch (SQLException e) {
            last = Optional.empty();
        }
    }

    /** The database is away: no reading. */
    void unknown() {
        last = Optional.empty();
    }
}
