package dev.chassis.messaging.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.messaging.Consume;
import dev.chassis.messaging.EventType;
import dev.chassis.messaging.Message;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.StartFailure;

/**
 * The service's own tables, on H2 and on a real PostgreSQL server: Flyway migrations at start-up (once, before the
 * port opens; a failing one stops start-up) and {@link Transactions} together with the outbox and the inbox.
 */
abstract class OwnTablesContract {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String LEDGER = "classpath:migrations/ledger";
    /** Flyway's history table: on H2 its name and columns are lower case, so they are quoted. */
    private static final String HISTORY = "\"flyway_schema_history\"";
    /** The migrations applied (H2's history also holds a row for its own creation). */
    private static final String APPLIED = "SELECT COUNT(*) FROM " + HISTORY + " WHERE \"type\" = 'SQL' AND \"success\"";

    /** A new, empty database: its JDBC URL. */
    abstract String newDatabase(String name);

    private final List<RunningService> running = new ArrayList<>();

    @AfterEach
    void stopServices() {
        running.forEach(RunningService::stop);
        running.clear();
    }

    @EventType("accounts.opened.v1")
    record AccountOpened(String id) {
    }

    @EventType("audits.recorded.v1")
    record AuditRecorded(String accountId) {
    }

    /** Audits each opened account once, publishing an event in the same transaction; its first attempt fails. */
    public static final class Auditor {
        final Inbox inbox;
        final Outbox outbox;
        final AtomicInteger attempts = new AtomicInteger();
        final AtomicInteger applied = new AtomicInteger();

        Auditor(Inbox inbox, Outbox outbox) {
            this.inbox = inbox;
            this.outbox = outbox;
        }

        @Consume(topic = "accounts.opened", group = "audit", backoff = "5ms")
        public void on(AccountOpened event, Message<AccountOpened> message) throws Exception {
            boolean first = attempts.incrementAndGet() == 1;
            boolean ran = inbox.once(message, c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit (account_id) VALUES (?)")) {
                    ps.setString(1, event.id());
                    ps.executeUpdate();
                }
                outbox.publish(c, "audits.recorded", event.id(), new AuditRecorded(event.id()));
                if (first) {
                    throw new IOException("the audit log is full");
                }
            });
            if (ran) {
                applied.incrementAndGet();
            }
        }
    }

    record Ledger(RunningService service, DataSource db, Transactions transactions, Outbox outbox, Inbox inbox,
                  Auditor auditor) {
    }

    private ServiceBuilder builder(String name, String url) {
        return Chassis.service(name).property("server.port", "0").property("server.shutdown.delay", "0s")
                .property("datasource.url", url).property("messaging.memory.name", url);
    }

    private Ledger start(String name, String url, String locations) {
        ServiceBuilder b = builder(name, url);
        if (locations != null) {
            b.property("datasource.migrations.locations", locations);
        }
        DataSource db = b.component(DataSource.class);
        Transactions transactions = b.component(Transactions.class);
        Outbox outbox = b.component(Outbox.class);
        Inbox inbox = b.component(Inbox.class);
        Auditor auditor = new Auditor(inbox, outbox);
        RunningService s = b.consume(auditor).start();
        running.add(s);
        return new Ledger(s, db, transactions, outbox, inbox, auditor);
    }

    private void stop(Ledger ledger) {
        ledger.service().stop();
        running.remove(ledger.service());
    }

    static long count(DataSource db, String sql) {
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean tableExists(DataSource db, String table) throws SQLException {
        try (Connection c = db.getConnection();
             ResultSet rs = c.getMetaData().getTables(null, null, null, new String[] {"TABLE"})) {
            while (rs.next()) {
                if (rs.getString("TABLE_NAME").equalsIgnoreCase(table)) {
                    return true;
                }
            }
            return false;
        }
    }

    static void insertAccount(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO accounts (id, owner) VALUES (?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, "ada");
            ps.executeUpdate();
        }
    }

    static Message<String> message(String id) {
        return new Message<>(id, URI.create("/ledger"), "t", Optional.empty(), Optional.empty(), "accounts.opened",
                "audit", 0, 0L, "k", Map.of(), "x", 1);
    }

    @Test
    void migrationsRunOnceAcrossStartsApartFromChassisTables() throws Exception {
        String url = newDatabase("ledger");
        Ledger first = start("ledger", url, LEDGER);
        assertThat(count(first.db(), APPLIED)).isEqualTo(3);
        // a new database: the service's migrations ran first, on an empty schema, so no baseline was recorded
        assertThat(count(first.db(), "SELECT COUNT(*) FROM " + HISTORY + " WHERE \"type\" = 'BASELINE'")).isZero();
        assertThat(count(first.db(), "SELECT balance FROM accounts WHERE id = 'house'")).isEqualTo(1000);
        assertThat(count(first.db(), "SELECT version FROM chassis_schema WHERE name = 'chassis'")).isPositive();
        long rows = count(first.db(), "SELECT COUNT(*) FROM " + HISTORY);
        stop(first);

        // V1 is not idempotent: running it again would fail start-up
        Ledger second = start("ledger", url, LEDGER);
        assertThat(count(second.db(), "SELECT COUNT(*) FROM " + HISTORY)).isEqualTo(rows);
        assertThat(count(second.db(), APPLIED)).isEqualTo(3);
        assertThat(count(second.db(), "SELECT COUNT(*) FROM accounts")).isEqualTo(1);
    }

    @Test
    void aDatabaseThatRanBeforeItHadMigrationsGetsThemAll() throws Exception {
        String url = newDatabase("adopting");
        Ledger before = start("adopting", url, null); // Chassis' tables only: no db/migration on this class path
        assertThat(tableExists(before.db(), "chassis_outbox")).isTrue();
        assertThat(tableExists(before.db(), "flyway_schema_history")).as("no migrations, no history").isFalse();
        stop(before);

        Ledger after = start("adopting", url, LEDGER);
        assertThat(count(after.db(), "SELECT COUNT(*) FROM " + HISTORY + " WHERE \"type\" = 'BASELINE'"
                + " AND \"version\" = '0'")).isEqualTo(1);
        assertThat(count(after.db(), APPLIED)).isEqualTo(3);
        assertThat(count(after.db(), "SELECT COUNT(*) FROM accounts")).isEqualTo(1);
    }

    @Test
    void migrationsTurnedOffDoNotRun() throws Exception {
        String url = newDatabase("off");
        ServiceBuilder b = builder("off", url).property("datasource.migrations.locations", LEDGER)
                .property("datasource.migrations.enabled", "false");
        DataSource db = b.component(DataSource.class);
        running.add(b.start());
        assertThat(tableExists(db, "accounts")).isFalse();
        assertThat(tableExists(db, "flyway_schema_history")).isFalse();
    }

    @Test
    void aFailingMigrationStopsStartUpBeforeThePortNamingTheScriptAndTheError() {
        String url = newDatabase("broken");
        RuntimeException e = StartFailure.of(builder("broken", url)
                .property("datasource.migrations.locations", "classpath:migrations/broken"));
        assertThat(e).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("migrations (classpath:migrations/broken) failed, so the service does not start")
                .hasMessageContaining("V2__typo.sql")
                .hasMessageContainingAll("acounts", "INSERT INTO acounts (id) VALUES ('a-1')");
    }

    @Test
    void aTransactionCommitsTheRowsAndTheOutboxEventTogetherAndReturnsItsValue() throws Exception {
        Ledger l = start("commit", newDatabase("commit"), LEDGER);
        String eventId = l.transactions().call(c -> {
            insertAccount(c, "a-1");
            return l.outbox().publish(c, "accounts.opened", "a-1", new AccountOpened("a-1"));
        });
        assertThat(eventId).isNotBlank();
        assertThat(count(l.db(), "SELECT COUNT(*) FROM accounts WHERE id = 'a-1'")).isEqualTo(1);
        assertThat(count(l.db(), "SELECT COUNT(*) FROM chassis_outbox WHERE event_id = '" + eventId + "'"))
                .isEqualTo(1);
        // published after the commit, and consumed by the auditor (whose first attempt rolls back: see below)
        Eventually.within(WAIT).until("the event audited", () -> l.auditor().applied.get() == 1);
    }

    @Test
    void aFailedTransactionRollsBackRowsOutboxEventAndInboxRecordAndRethrowsTheSameException() throws Exception {
        Ledger l = start("rollback", newDatabase("rollback"), LEDGER);
        IOException checked = new IOException("the ledger is closed");
        assertThatThrownBy(() -> l.transactions().run(c -> {
            insertAccount(c, "a-1");
            l.outbox().publish(c, "accounts.opened", "a-1", new AccountOpened("a-1"));
            assertThat(l.inbox().record(c, message("m-1"))).isTrue();
            throw checked;
        })).isSameAs(checked);
        IllegalArgumentException unchecked = new IllegalArgumentException("no such owner");
        assertThatThrownBy(() -> l.transactions().call(c -> {
            insertAccount(c, "a-2");
            l.outbox().publish(c, "accounts.opened", "a-2", new AccountOpened("a-2"));
            throw unchecked;
        })).isSameAs(unchecked);
        assertThat(count(l.db(), "SELECT COUNT(*) FROM accounts WHERE id <> 'house'")).isZero();
        assertThat(count(l.db(), "SELECT COUNT(*) FROM chassis_outbox")).isZero();
        assertThat(count(l.db(), "SELECT COUNT(*) FROM chassis_inbox")).isZero();
        // the message was not recorded, so it can be handled now
        assertThat(l.inbox().once(message("m-1"), c -> insertAccount(c, "a-3"))).isTrue();
        assertThat(count(l.db(), "SELECT COUNT(*) FROM chassis_inbox")).isEqualTo(1);
    }

    @Test
    void aHandlersFailedAttemptLeavesNoInboxRecordNoRowsAndNoOutboxEvent() throws Exception {
        Ledger l = start("retry", newDatabase("retry"), LEDGER);
        l.transactions().run(c -> l.outbox().publish(c, "accounts.opened", "a-9", new AccountOpened("a-9")));
        Eventually.within(WAIT).until("audited after a retry", () -> l.auditor().applied.get() == 1);
        assertThat(l.auditor().attempts.get()).isEqualTo(2);
        assertThat(count(l.db(), "SELECT COUNT(*) FROM audit WHERE account_id = 'a-9'")).isEqualTo(1);
        assertThat(count(l.db(), "SELECT COUNT(*) FROM chassis_outbox WHERE topic = 'audits.recorded'")).isEqualTo(1);
        assertThat(count(l.db(), "SELECT COUNT(*) FROM chassis_inbox WHERE consumer_group = 'audit'")).isEqualTo(1);
    }

    @Test
    void aTransactionInsideAnotherIsRefusedAndTheOuterOneRollsBack() throws Exception {
        Ledger l = start("nested", newDatabase("nested"), LEDGER);
        assertThatThrownBy(() -> l.transactions().run(c -> {
            insertAccount(c, "outer");
            l.transactions().run(inner -> insertAccount(inner, "inner"));
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("already open on this thread")
                .hasMessageContaining("Fix: pass the open transaction's connection on");
        assertThatThrownBy(() -> l.transactions().run(c -> l.inbox().once(message("m-2"),
                inner -> insertAccount(inner, "inner")))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already open on this thread");
        assertThatThrownBy(() -> l.inbox().once(message("m-3"), c -> l.transactions().run(inner ->
                insertAccount(inner, "inner")))).isInstanceOf(IllegalStateException.class);
        assertThat(count(l.db(), "SELECT COUNT(*) FROM accounts WHERE id <> 'house'")).isZero();
        assertThat(count(l.db(), "SELECT COUNT(*) FROM chassis_inbox")).isZero();
        // the thread is free again
        l.transactions().run(c -> insertAccount(c, "after"));
        assertThat(count(l.db(), "SELECT COUNT(*) FROM accounts WHERE id = 'after'")).isEqualTo(1);
    }
}
