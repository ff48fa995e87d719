package dev.chassis.messaging.jdbc.internal;

import java.lang.System.Logger.Level;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.type.TypeReference;

import dev.chassis.core.Json;
import dev.chassis.core.internal.shared.Backoff;
import dev.chassis.messaging.Published;
import dev.chassis.messaging.spi.BrokerRecord;
import dev.chassis.messaging.spi.EventSender;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.context.Scope;

/**
 * The outbox relay, one per service instance, on its own thread: takes a batch of unsent rows under row locks that
 * other instances' relays skip ({@code FOR UPDATE SKIP LOCKED}), publishes those whose earlier rows of the same key
 * are not held by another relay, waits for the broker's acknowledgements, marks them sent, and commits. A relay
 * that dies before the commit leaves its rows unsent and unlocked, so they are published again (at least once).
 * The same thread deletes sent outbox rows, old inbox ids and old Idempotency-Key answers on a schedule. Not API.
 */
final class Relay {
    private static final System.Logger LOG = System.getLogger(Relay.class.getName());
    private static final TypeReference<Map<String, List<String>>> HEADERS = new TypeReference<>() {
    };
    /** Looking again after a wake-up found nothing (its transaction had not committed yet): 2, 4, 8 ms. */
    private static final Backoff RECHECK = Backoff.exponential(Duration.ofMillis(2), Duration.ofMillis(8));
    private static final int RECHECKS = 3;
    /** A row the broker refused is tried again after 1 s, 2 s, 4 s ... up to a minute. */
    static final Backoff ROW_RETRY = Backoff.exponential(Duration.ofSeconds(1), Duration.ofMinutes(1));
    /** Test hook: runs after a batch was published and before it is marked sent (a relay killed there). */
    static volatile Runnable afterPublish = () -> {
    };

    /** An unsent outbox row. */
    record Row(long id, String topic, String key, String eventId, String headers, byte[] payload,
               OffsetDateTime created) {
    }

    private final DataSource dataSource;
    private final Schema schema;
    private final EventSender sender;
    private final Clock clock;
    private final JdbcSettings.Values settings;
    private final LongCounter published;
    private final LongCounter failed;
    private final DoubleHistogram delay;
    private final Backlog backlog;
    /** While the database or the broker is away: 2, 4 ... 32 poll intervals, at most 5 s. */
    private final Backoff failing;
    private final Semaphore wake = new Semaphore(0);
    private volatile boolean running = true;
    private Thread thread;
    private long nextCleanup;
    private long lastWarning;

    Relay(DataSource dataSource, Schema schema, EventSender sender, Clock clock, JdbcSettings.Values settings,
          LongCounter published, LongCounter failed, DoubleHistogram delay, Backlog backlog) {
        this.backlog = backlog;
        this.dataSource = dataSource;
        this.schema = schema;
        this.sender = sender;
        this.clock = clock;
        this.settings = settings;
        this.published = published;
        this.failed = failed;
        this.delay = delay;
        Duration most = min(settings.pollInterval().multipliedBy(32), Duration.ofSeconds(5));
        this.failing = Backoff.exponential(min(settings.pollInterval().multipliedBy(2), most), most);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Asks the relay to look for rows now (an event was just written). */
    void wake() {
        if (wake.availablePermits() == 0) {
            wake.release();
        }
    }

    void start(String service) {
        thread = Thread.ofPlatform().daemon().name("chassis-outbox-" + service).start(this::loop);
    }

    /** Stops after the batch in hand (its rows are published and marked, or left for the next relay). */
    void stop(Duration timeout) {
        running = false;
        if (thread == null) {
            return;
        }
        wake.release();
        try {
            thread.join(timeout.toMillis());
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        int failures = 0;
        int recheck = 0;
        while (running) {
            try {
                schema.ensure();
                cleanupWhenDue();
                backlog.refreshWhenDue();
                int found = settings.relay() ? relayOnce() : 0;
                failures = 0;
                if (found > 0) {
                    recheck = 0;
                    continue; // more may be waiting
                }
                if (recheck > 0) {
                    // woken by a publish whose transaction had not committed yet: look again shortly
                    TimeUnit.NANOSECONDS.sleep(RECHECK.delayNanos(RECHECKS + 1 - recheck));
                    recheck--;
                    continue;
                }
                if (wake.tryAcquire(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS)) {
                    wake.drainPermits();
                    recheck = RECHECKS;
                }
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
            } catch (Exception | Error e) {
                // the database or the broker is away: log now and then, and try again with back-off
                backlog.unknown();
                long now = System.nanoTime();
                if (now - lastWarning > TimeUnit.SECONDS.toNanos(30)) {
                    lastWarning = now;
                    LOG.log(Level.WARNING, "the outbox relay cannot publish now; it keeps trying: " + e);
                }
                failures = Math.min(failures + 1, 64); // past the cap anyway; never overflows
                try {
                    wake.tryAcquire(failing.delayNanos(failures), TimeUnit.NANOSECONDS);
                } catch (InterruptedException ie) {
                    if (!running) {
                        return;
                    }
                }
            }
        }
    }

    /** One batch: lock, publish, mark sent, commit. Returns how many rows were published. */
    int relayOnce() throws SQLException, InterruptedException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<Row> rows = lock(c);
                List<Row> ready = inKeyOrder(c, rows);
                Outcome outcome = publish(ready);
                afterPublish.run();
                markSent(c, outcome.sent());
                markFailed(c, outcome.failed());
                c.commit();
                published.add(outcome.sent().size());
                return outcome.sent().size();
            } catch (SQLException | RuntimeException | InterruptedException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is gone: the database rolls back
                }
                throw e;
            }
        }
    }

    /** Rows the broker acknowledged, and rows it refused with why. */
    private record Outcome(List<Row> sent, Map<Row, String> failed) {
    }

    private List<Row> lock(Connection c) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, topic, record_key, event_id, headers, payload,"
                + " created_at FROM chassis_outbox WHERE sent_at IS NULL AND (next_attempt_at IS NULL OR"
                + " next_attempt_at <= ?) ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED")) {
            ps.setObject(1, OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC));
            ps.setInt(2, settings.batchSize());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getBytes(6), rs.getObject(7, OffsetDateTime.class)));
                }
            }
        }
        return rows;
    }

    /**
     * The rows that may go now: a row waits while an earlier unsent row of its key is not in this batch (another
     * relay holds it), so that each key's events are published in the order they were written.
     */
    private List<Row> inKeyOrder(Connection c, List<Row> rows) throws SQLException {
        List<String> keys = rows.stream().map(Row::key).filter(k -> k != null).distinct().toList();
        if (keys.isEmpty()) {
            return rows;
        }
        java.util.Set<Long> mine = new java.util.HashSet<>();
        rows.forEach(r -> mine.add(r.id()));
        long last = rows.get(rows.size() - 1).id();
        Map<String, Long> firstForeign = new HashMap<>();
        String in = String.join(", ", keys.stream().map(k -> "?").toList());
        try (PreparedStatement ps = c.prepareStatement("SELECT id, record_key FROM chassis_outbox WHERE sent_at IS NULL"
                + " AND id < ? AND record_key IN (" + in + ")")) {
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

    /**
     * Publishes the rows in order, each in its transaction's trace, and waits for the acknowledgements. A row that
     * cannot even be handed to the broker holds back the later rows of its key in this batch.
     */
    private Outcome publish(List<Row> rows) throws InterruptedException {
        List<Row> handed = new ArrayList<>(rows.size());
        List<CompletableFuture<Published>> acks = new ArrayList<>(rows.size());
        Map<Row, String> refused = new java.util.LinkedHashMap<>();
        java.util.Set<String> heldBack = new java.util.HashSet<>();
        for (Row r : rows) {
            if (r.key() != null && heldBack.contains(r.key())) {
                continue;
            }
            try {
                Map<String, List<String>> headers = Json.mapper().readValue(r.headers(), HEADERS);
                Scope scope = TraceHeaders.restore(headers).makeCurrent(); // the producer span's parent
                try {
                    acks.add(sender.send(new BrokerRecord(r.topic(), r.key(), headers, r.payload())));
                    handed.add(r);
                } finally {
                    scope.close();
                }
            } catch (Exception e) {
                refused.put(r, e.toString());
                if (r.key() != null) {
                    heldBack.add(r.key());
                }
            }
        }
        long deadline = System.nanoTime() + settings.publishTimeout().toNanos() + TimeUnit.SECONDS.toNanos(1);
        List<Row> sent = new ArrayList<>(handed.size());
        for (int i = 0; i < handed.size(); i++) {
            Row r = handed.get(i);
            try {
                acks.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                sent.add(r);
                delay.record(Math.max(0, Duration.between(r.created().toInstant(), clock.instant()).toNanos()) / 1e9);
            } catch (ExecutionException e) {
                refused.put(r, String.valueOf(e.getCause()));
            } catch (TimeoutException e) {
                refused.put(r, "the broker did not acknowledge within " + settings.publishTimeout()
                        + " (messaging.publish-timeout)");
            }
        }
        if (!refused.isEmpty()) {
            failed.add(refused.size(), Attributes.empty());
            LOG.log(Level.DEBUG, () -> refused.size() + " of " + rows.size() + " outbox events were not published;"
                    + " they are tried again with back-off: " + refused.values().iterator().next());
        }
        return new Outcome(sent, refused);
    }

    /** Counts a failed attempt of each row and sets when it is tried next: 1 s, 2 s, 4 s ... up to a minute. */
    private void markFailed(Connection c, Map<Row, String> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE chassis_outbox SET attempts = attempts + 1,"
                + " next_attempt_at = ?, last_error = ? WHERE id = ?")) {
            OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
            for (Map.Entry<Row, String> f : rows.entrySet()) {
                int attempts = attemptsOf(c, f.getKey().id());
                ps.setObject(1, now.plus(ROW_RETRY.delay(attempts + 1)));
                String error = f.getValue();
                ps.setString(2, error.length() > 1000 ? error.substring(0, 1000) : error);
                ps.setLong(3, f.getKey().id());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static int attemptsOf(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT attempts FROM chassis_outbox WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    private void markSent(Connection c, List<Row> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE chassis_outbox SET sent_at = ? WHERE id = ?")) {
            OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
            for (Row r : rows) {
                ps.setObject(1, now);
                ps.setLong(2, r.id());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void cleanupWhenDue() throws SQLException {
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
            do { // in slices: a large backlog of sent rows does not become one long transaction
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM chassis_outbox WHERE id IN (SELECT id FROM"
                        + " chassis_outbox WHERE sent_at < ? ORDER BY id LIMIT 5000)")) {
                    ps.setObject(1, now.minus(settings.outboxRetention()));
                    deleted = ps.executeUpdate();
                }
            } while (deleted == 5000 && running);
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
