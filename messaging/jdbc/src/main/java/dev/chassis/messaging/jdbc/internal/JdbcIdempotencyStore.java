package dev.chassis.messaging.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.type.TypeReference;

import dev.chassis.core.Json;
import dev.chassis.core.spi.IdempotencyStore;

/**
 * Idempotency-Key answers in {@code chassis_idempotency}: a row per key, {@code pending} while its first request
 * runs (until {@code locked_until}, renewed while it runs; {@code owner} is the claim's token, so that a request
 * whose claim was taken over changes nothing), then {@code done} with the answer. Every statement commits on its
 * own. Not API.
 */
final class JdbcIdempotencyStore implements IdempotencyStore {
    private static final TypeReference<Map<String, List<String>>> HEADERS = new TypeReference<>() {
    };
    private final DataSource dataSource;
    private final Schema schema;
    private final Clock clock;
    private final Duration lease;
    private final Duration wait;

    JdbcIdempotencyStore(DataSource dataSource, Schema schema, Clock clock, Duration lease, Duration wait) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.clock = clock;
        this.lease = lease;
        this.wait = wait;
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }

    @Override
    public Claim claim(String key, String fingerprint) throws Exception {
        Dialect dialect = schema.ensure();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            for (int tries = 0; tries < 3; tries++) {
                String token = UUID.randomUUID().toString();
                if (insert(c, dialect, key, fingerprint, token)) {
                    return new Claimed(token);
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT fingerprint, state, locked_until, status,"
                        + " headers, body FROM chassis_idempotency WHERE idem_key = ?")) {
                    ps.setString(1, key);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            continue; // released meanwhile: claim it again
                        }
                        if (!rs.getString(1).equals(fingerprint)) {
                            return new Mismatch();
                        }
                        if (rs.getString(2).equals("done")) {
                            return new Replay(new Answer(rs.getInt(4),
                                    Json.mapper().readValue(rs.getString(5), HEADERS), rs.getBytes(6)));
                        }
                        if (rs.getObject(3, OffsetDateTime.class).isAfter(now())) {
                            return new InProgress();
                        }
                    }
                }
                // its first request never finished (its instance died): take the key over, if nobody else did
                try (PreparedStatement ps = c.prepareStatement("UPDATE chassis_idempotency SET locked_until = ?,"
                        + " owner = ? WHERE idem_key = ? AND state = 'pending' AND locked_until <= ?")) {
                    OffsetDateTime now = now();
                    ps.setObject(1, now.plus(lease));
                    ps.setString(2, token);
                    ps.setString(3, key);
                    ps.setObject(4, now);
                    if (ps.executeUpdate() == 1) {
                        return new Claimed(token);
                    }
                }
            }
            return new InProgress();
        }
    }

    private boolean insert(Connection c, Dialect dialect, String key, String fingerprint, String token)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(dialect.insertIfAbsent("chassis_idempotency",
                List.of("idem_key", "fingerprint", "state", "owner", "locked_until", "created_at")))) {
            OffsetDateTime now = now();
            ps.setString(1, key);
            ps.setString(2, fingerprint);
            ps.setString(3, "pending");
            ps.setString(4, token);
            ps.setObject(5, now.plus(lease));
            ps.setObject(6, now);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            if (Dialect.duplicate(e)) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void complete(String key, String token, Answer answer) throws Exception {
        String headers = Json.mapper().writeValueAsString(answer.headers());
        update("UPDATE chassis_idempotency SET state = 'done', status = ?, headers = ?, body = ?, completed_at = ?"
                + " WHERE idem_key = ? AND owner = ? AND state = 'pending'", ps -> {
            ps.setInt(1, answer.status());
            ps.setString(2, headers);
            ps.setBytes(3, answer.body());
            ps.setObject(4, now());
            ps.setString(5, key);
            ps.setString(6, token);
        });
    }

    @Override
    public void release(String key, String token) throws Exception {
        update("DELETE FROM chassis_idempotency WHERE idem_key = ? AND owner = ? AND state = 'pending'", ps -> {
            ps.setString(1, key);
            ps.setString(2, token);
        });
    }

    @Override
    public void renew(String key, String token) throws Exception {
        update("UPDATE chassis_idempotency SET locked_until = ? WHERE idem_key = ? AND owner = ? AND state = 'pending'",
                ps -> {
                    ps.setObject(1, now().plus(lease));
                    ps.setString(2, key);
                    ps.setString(3, token);
                });
    }

    @FunctionalInterface
    private interface Parameters {
        void set(PreparedStatement ps) throws SQLException;
    }

    /** One statement of a claim's owner, committed on its own. */
    private void update(String sql, Parameters parameters) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            c.setAutoCommit(true);
            parameters.set(ps);
            ps.executeUpdate();
        }
    }

    @Override
    public Duration lease() {
        return lease;
    }

    @Override
    public Duration waitForInProgress() {
        return wait;
    }
}
