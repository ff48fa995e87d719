package dev.chassis.messaging.jdbc.internal;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import dev.chassis.messaging.jdbc.internal.OutboxRows.Row;
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
 * that dies before the commit leaves its rows unsent and unlocked, so they are published again (at least once). A row
 * the broker refuses (not merely cannot take now) {@code outbox.max-attempts} times is parked, not tried again.
 * The same thread runs the {@link Retention} cleanup on a schedule. The loop is here; the SQL is in {@link OutboxRows}.
 * Not API.
 */
final class Relay {
    private static final System.Logger LOG = System.getLogger(Relay.class.getName());
    private static final TypeReference<Map<String, List<String>>> HEADERS = new TypeReference<>() {
    };
    /** Looking again after a wake-up found nothing (its transaction had not committed yet): 2, 4, 8 ms. */
    private static final Backoff RECHECK = Backoff.exponential(Duration.ofMillis(2), Duration.ofMillis(8));
    private static final int RECHECKS = 3;

    /** Told what the relay does, at the points where a relay can die (for tests that kill it there). */
    interface Listener {
        /** Tells nothing. */
        Listener NONE = () -> {
        };

        /** A batch was published and acknowledged, and is not marked sent yet. */
        void afterPublish();
    }

    private final DataSource dataSource;
    private final Schema schema;
    private final OutboxRows outbox;
    private final Retention retention;
    private final Listener listener;
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
    private long lastWarning;

    Relay(DataSource dataSource, Schema schema, EventSender sender, Clock clock, JdbcSettings.Values settings,
          LongCounter published, LongCounter failed, DoubleHistogram delay, Backlog backlog, Listener listener) {
        this.outbox = new OutboxRows(clock);
        this.retention = new Retention(dataSource, clock, settings, () -> running);
        this.listener = listener;
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
                retention.cleanupWhenDue();
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
                List<Row> ready = outbox.inKeyOrder(c, outbox.lock(c, settings.batchSize()));
                Outcome outcome = publish(ready);
                listener.afterPublish();
                outbox.markSent(c, outcome.sent());
                int parked = outbox.markFailed(c, outcome.failed(), outcome.refused(), settings.maxAttempts());
                c.commit();
                published.add(outcome.sent().size());
                if (parked > 0) {
                    LOG.log(Level.ERROR, parked + " outbox event(s) parked after " + settings.maxAttempts() + " refusals"
                            + " (outbox.max-attempts): the broker refuses them (" + outcome.failed().values().iterator().next()
                            + "). Find them with SELECT ... FROM chassis_outbox WHERE parked_at IS NOT NULL; replay them"
                            + " with UPDATE chassis_outbox SET parked_at = NULL, attempts = 0, next_attempt_at = NULL"
                            + " (docs/database.md)");
                }
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

    /**
     * Rows the broker acknowledged, rows that failed with why, and those of them the broker refused (rather than
     * being away: {@link EventSender#retriable}).
     */
    private record Outcome(List<Row> sent, Map<Row, String> failed, Set<Row> refused) {
    }

    /**
     * Publishes the rows in order, each in its transaction's trace, and waits for the acknowledgements. A row that
     * cannot even be handed to the broker holds back the later rows of its key in this batch.
     */
    private Outcome publish(List<Row> rows) throws InterruptedException {
        List<Row> handed = new ArrayList<>(rows.size());
        List<CompletableFuture<Published>> acks = new ArrayList<>(rows.size());
        Map<Row, String> refused = new LinkedHashMap<>();
        Set<Row> rejected = new HashSet<>();
        Set<String> heldBack = new HashSet<>();
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
                if (!sender.retriable(e)) {
                    rejected.add(r);
                }
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
                if (!sender.retriable(e.getCause())) {
                    rejected.add(r);
                }
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
        return new Outcome(sent, refused, rejected);
    }
}
