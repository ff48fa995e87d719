package dev.chassis.messaging.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.chassis.messaging.Published;
import dev.chassis.messaging.jdbc.internal.OutboxRows.Row;
import dev.chassis.messaging.spi.BrokerRecord;
import dev.chassis.messaging.spi.EventSender;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.Meter;

/** The relay's parts on H2: the row SQL (attempts read with the row, retry schedule) and the injected listener. */
class RelayTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private JdbcDataSource db;
    private Schema schema;

    @BeforeEach
    void database() throws SQLException {
        db = new JdbcDataSource();
        db.setURL("jdbc:h2:mem:relay-test-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
        schema = new Schema(db, null);
        schema.ensure();
    }

    private void insert(String key, int attempts) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO chassis_outbox"
                + " (topic, record_key, event_id, headers, payload, created_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, "orders");
            ps.setString(2, key);
            ps.setString(3, "e-" + key + "-" + attempts);
            ps.setString(4, "{}");
            ps.setBytes(5, new byte[] {1});
            ps.setObject(6, OffsetDateTime.ofInstant(NOW, ZoneOffset.UTC));
            ps.setInt(7, attempts);
            ps.executeUpdate();
        }
    }

    private List<String> column(String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    @Test
    void aFailedRowIsTriedAgainAfterTwoToThePowerOfItsAttemptsSecondsAtMostAMinute() throws SQLException {
        insert("a", 0);
        insert("b", 3);
        insert("c", 9);
        OutboxRows rows = new OutboxRows(CLOCK);
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            List<Row> locked = rows.lock(c, 10);
            assertThat(locked).extracting(Row::attempts).containsExactly(0, 3, 9);
            rows.markFailed(c, Map.of(locked.get(0), "x".repeat(1500), locked.get(1), "refused",
                    locked.get(2), "refused"));
            c.commit();
        }
        assertThat(column("SELECT attempts FROM chassis_outbox ORDER BY id")).containsExactly("1", "4", "10");
        List<Instant> next = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT next_attempt_at FROM chassis_outbox ORDER BY id")) {
            while (rs.next()) {
                next.add(rs.getObject(1, OffsetDateTime.class).toInstant());
            }
        }
        assertThat(next).containsExactly(NOW.plusSeconds(1), NOW.plusSeconds(8), NOW.plusSeconds(60));
        assertThat(column("SELECT LENGTH(last_error) FROM chassis_outbox ORDER BY id")).first().isEqualTo("1000");
        try (Connection c = db.getConnection()) {
            assertThat(rows.lock(c, 10)).as("none is due yet").isEmpty();
        }
    }

    @Test
    void theListenerHearsOfABatchPublishedBeforeItIsMarkedSent() throws Exception {
        insert("a", 0);
        insert("b", 0);
        List<String> sentAtListener = new ArrayList<>();
        List<String> sent = new ArrayList<>();
        EventSender sender = new EventSender() {
            @Override
            public BrokerRecord record(String topic, String key, Object event) {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletableFuture<Published> send(BrokerRecord record) {
                sent.add(record.key());
                return CompletableFuture.completedFuture(new Published(record.topic(), 0, sent.size(), record.key()));
            }
        };
        Meter meter = OpenTelemetry.noop().getMeter("test");
        JdbcSettings.Values settings = new JdbcSettings.Values(true, Duration.ofMillis(100), 10, 10, Duration.ofDays(1),
                Duration.ofMinutes(1), Duration.ofDays(1), false, Duration.ofSeconds(30), Duration.ofSeconds(5),
                Duration.ofDays(1), Duration.ofSeconds(5));
        Relay relay = new Relay(db, schema, sender, CLOCK, settings, meter.counterBuilder("p").build(),
                meter.counterBuilder("f").build(), meter.histogramBuilder("d").build(), new Backlog(db, schema, CLOCK),
                () -> {
                    try {
                        sentAtListener.addAll(column("SELECT event_id FROM chassis_outbox WHERE sent_at IS NOT NULL"));
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                    sentAtListener.add("published " + sent.size());
                });
        assertThat(relay.relayOnce()).isEqualTo(2);
        assertThat(sentAtListener).as("nothing marked sent yet when the listener runs").containsExactly("published 2");
        assertThat(column("SELECT COUNT(*) FROM chassis_outbox WHERE sent_at IS NOT NULL")).containsExactly("2");
    }

    @Test
    void aRowTheBrokerKeepsRefusingIsParkedAfterMaxAttemptsAndGoesAgainAfterTheDocumentedReplay() throws Exception {
        insert("refused", 2);
        insert("away", 2);
        insert("fresh", 0);
        boolean[] accept = {false};
        List<String> sent = new ArrayList<>();
        EventSender sender = new EventSender() {
            @Override
            public BrokerRecord record(String topic, String key, Object event) {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletableFuture<Published> send(BrokerRecord record) {
                if (accept[0]) {
                    sent.add(record.key());
                    return CompletableFuture.completedFuture(new Published(record.topic(), 0, sent.size(), record.key()));
                }
                return CompletableFuture.failedFuture(record.key().equals("away") ? new IllegalStateException("away")
                        : new IllegalArgumentException("record too large"));
            }

            @Override
            public boolean retriable(Throwable failure) {
                return failure instanceof IllegalStateException;
            }
        };
        Meter meter = OpenTelemetry.noop().getMeter("test");
        JdbcSettings.Values settings = new JdbcSettings.Values(true, Duration.ofMillis(100), 10, 3, Duration.ofDays(1),
                Duration.ofMinutes(1), Duration.ofDays(1), false, Duration.ofSeconds(30), Duration.ofSeconds(5),
                Duration.ofDays(1), Duration.ofSeconds(5));
        Backlog backlog = new Backlog(db, schema, CLOCK);
        Relay relay = new Relay(db, schema, sender, CLOCK, settings, meter.counterBuilder("p").build(),
                meter.counterBuilder("f").build(), meter.histogramBuilder("d").build(), backlog, Relay.Listener.NONE);
        assertThat(relay.relayOnce()).isZero();
        assertThat(column("SELECT record_key FROM chassis_outbox WHERE parked_at IS NOT NULL"))
                .as("refused at its third attempt: parked; the one the broker could not take, and the fresh one, are not")
                .containsExactly("refused");
        assertThat(column("SELECT attempts FROM chassis_outbox ORDER BY id")).containsExactly("3", "3", "1");
        backlog.refreshWhenDue();
        assertThat(backlog.read()).hasValueSatisfying(b -> {
            assertThat(b.parked()).isEqualTo(1);
            assertThat(b.count()).as("the backlog counts the rows still tried").isEqualTo(2);
        });

        accept[0] = true;
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE chassis_outbox SET next_attempt_at = NULL WHERE parked_at IS NULL");
        }
        assertThat(relay.relayOnce()).isEqualTo(2);
        assertThat(sent).as("a parked row is not taken, and holds no later row back").containsExactly("away", "fresh");
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            // the replay docs/database.md gives
            st.executeUpdate("UPDATE chassis_outbox SET parked_at = NULL, attempts = 0, next_attempt_at = NULL"
                    + " WHERE parked_at IS NOT NULL");
        }
        assertThat(relay.relayOnce()).isEqualTo(1);
        assertThat(sent).containsExactly("away", "fresh", "refused");
        assertThat(column("SELECT COUNT(*) FROM chassis_outbox WHERE sent_at IS NULL")).containsExactly("0");
    }
}
