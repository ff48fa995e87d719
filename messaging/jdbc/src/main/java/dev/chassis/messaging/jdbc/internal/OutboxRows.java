package dev.chassis.messaging.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.chassis.core.internal.shared.Backoff;

/**
 * The outbox relay's SQL on {@code chassis_outbox}: lock a batch of unsent rows, keep each key's order, mark rows
 * sent or failed, park rows the broker keeps refusing. Every method runs in the caller's transaction. Not API.
 */
final class OutboxRows {
    /** A row the broker refused is tried again after 1 s, 2 s, 4 s ... up to a minute. */
    static final Backoff RETRY = Backoff.exponential(Duration.ofSeconds(1), Duration.ofMinutes(1));
    private static final int MAX_ERROR = 1000;

    /** An unsent outbox row, with the number of attempts that failed before. */
    record Row(long id, String topic, String key, String eventId, String headers, byte[] payload,
               OffsetDateTime created, int attempts) {
    }

    private final Clock clock;

    OutboxRows(Clock clock) {
        this.clock = clock;
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }

    /**
     * Up to {@code batchSize} unsent rows that are due, in id order, locked; rows another relay holds are skipped
     * ({@code FOR UPDATE SKIP LOCKED}), and so are the rows of a key whose earlier row backs off: they could not go
     * before it, and taken into the batch they filled it, so that one key with a failing row and a batch's worth
     * behind it held back every other key.
     */
    List<Row> lock(Connection c, int batchSize) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT o.id, o.topic, o.record_key, o.event_id, o.headers,"
                + " o.payload, o.created_at, o.attempts FROM chassis_outbox o WHERE o.sent_at IS NULL AND o.parked_at IS NULL"
                + " AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?) AND (o.record_key IS NULL OR NOT EXISTS ("
                + "SELECT 1 FROM chassis_outbox p WHERE p.record_key = o.record_key AND p.id < o.id AND p.sent_at IS NULL"
                + " AND p.parked_at IS NULL AND p.next_attempt_at > ?)) ORDER BY o.id LIMIT ? FOR UPDATE SKIP LOCKED")) {
            OffsetDateTime now = now();
            ps.setObject(1, now);
            ps.setObject(2, now);
            ps.setInt(3, batchSize);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getBytes(6), rs.getObject(7, OffsetDateTime.class), rs.getInt(8)));
                }
            }
        }
        return rows;
    }

    /**
     * The rows that may go now: a row waits while an earlier unsent row of its key is not in this batch (another
     * relay holds it), so that each key's events are published in the order they were written. A parked row holds
     * nothing back: the later events of its key go on without it.
     */
    List<Row> inKeyOrder(Connection c, List<Row> rows) throws SQLException {
        List<String> keys = rows.stream().map(Row::key).filter(k -> k != null).distinct().toList();
        if (keys.isEmpty()) {
            return rows;
        }
        Set<Long> mine = new HashSet<>();
        rows.forEach(r -> mine.add(r.id()));
        long last = rows.get(rows.size() - 1).id();
        Map<String, Long> firstForeign = new HashMap<>();
        String in = String.join(", ", keys.stream().map(k -> "?").toList());
        try (PreparedStatement ps = c.prepareStatement("SELECT id, record_key FROM chassis_outbox WHERE sent_at IS NULL"
                + " AND parked_at IS NULL AND id < ? AND record_key IN (" + in + ")")) {
            ps.setLong(1, last);
            for (int i = 0; i < keys.size(); i++) {
                ps.setString(i + 2, keys.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long id = rs.getLong(1);
                    if (!mine.contains(id)) {
                        firstForeign.merge(rs.getString(2), id, Math::min);
                    }
                }
            }
        }
        if (firstForeign.isEmpty()) {
            return rows;
        }
        return rows.stream().filter(r -> r.key() == null || r.id() < firstForeign.getOrDefault(r.key(), Long.MAX_VALUE))
                .toList();
    }

    /** Marks the rows sent now. */
    void markSent(Connection c, List<Row> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE chassis_outbox SET sent_at = ? WHERE id = ?")) {
            OffsetDateTime now = now();
            for (Row r : rows) {
                ps.setObject(1, now);
                ps.setLong(2, r.id());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Counts a failed attempt of each row, keeps why (its first 1000 characters), and sets when it is tried next
     * ({@link #RETRY} after the attempts read with the row).
     */
    void markFailed(Connection c, Map<Row, String> rows) throws SQLException {
        markFailed(c, rows, Set.of(), Integer.MAX_VALUE);
    }

    /**
     * As {@link #markFailed(Connection, Map)}; a row in {@code refused} (the broker refused the record itself) whose
     * attempts reach {@code maxAttempts} is parked instead: {@code parked_at} is set and the relay no longer takes it.
     * Returns how many rows were parked.
     */
    int markFailed(Connection c, Map<Row, String> rows, Set<Row> refused, int maxAttempts) throws SQLException {
        if (rows.isEmpty()) {
            return 0;
        }
        int parked = 0;
        try (PreparedStatement ps = c.prepareStatement("UPDATE chassis_outbox SET attempts = attempts + 1,"
                + " next_attempt_at = ?, last_error = ?, parked_at = ? WHERE id = ?")) {
            OffsetDateTime now = now();
            for (Map.Entry<Row, String> f : rows.entrySet()) {
                int attempts = f.getKey().attempts() + 1;
                boolean park = attempts >= maxAttempts && refused.contains(f.getKey());
                ps.setObject(1, now.plus(RETRY.delay(attempts)));
                String error = f.getValue();
                ps.setString(2, error.length() > MAX_ERROR ? error.substring(0, MAX_ERROR) : error);
                ps.setObject(3, park ? now : null);
                ps.setLong(4, f.getKey().id());
                ps.addBatch();
                parked += park ? 1 : 0;
            }
            ps.executeBatch();
        }
        return parked;
    }
}
