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
 * The outbox backlog for {@code /metrics}: unsent rows and the age of the oldest, read at most once a second (a
 * scrape reads both gauges), with a one-second query timeout; nothing while the database is away. Not API.
 */
final class Backlog {
    record Reading(long count, double oldestAgeSeconds) {
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

    synchronized Optional<Reading> read() {
        long now = System.nanoTime();
        if (readAt != Long.MIN_VALUE && now - readAt < 1_000_000_000L) {
            return last;
        }
        readAt = now;
        if (schema.dialect() == null) {
            return last = Optional.empty(); // the tables are not there yet
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), MIN(created_at) FROM chassis_outbox"
                     + " WHERE sent_at IS NULL")) {
            ps.setQueryTimeout(1);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                OffsetDateTime oldest = rs.getObject(2, OffsetDateTime.class);
                double age = oldest == null ? 0
                        : Math.max(0, Duration.between(oldest.toInstant(), clock.instant()).toMillis() / 1000.0);
                return last = Optional.of(new Reading(rs.getLong(1), age));
            }
        } catch (SQLException e) {
            return last = Optional.empty();
        }
    }
}
