package dev.chassis.messaging.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.messaging.Consume;
import dev.chassis.testing.Eventually;
import dev.chassis.messaging.Message;
import dev.chassis.messaging.jdbc.Databases;
import dev.chassis.messaging.jdbc.Inbox;
import dev.chassis.messaging.jdbc.Outbox;
import dev.chassis.messaging.kafka.EmbeddedKafka;
import dev.chassis.testing.TestClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Faults against real components: a relay JVM SIGKILLed between publishing to a real Kafka broker and marking the
 * rows sent, and a real PostgreSQL server stopped and started again under load. Counted by unique ids: nothing lost,
 * no effect twice.
 */
class OutboxFaultsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    record Placed(String id) {
    }

    /** Applies each event once through the inbox; records every delivery and every id applied. */
    public static final class Effects {
        final Inbox inbox;
        final List<String> deliveries = new CopyOnWriteArrayList<>();

        Effects(Inbox inbox) {
            this.inbox = inbox;
        }

        @Consume(topic = "placed", group = "effects")
        public void on(Placed event, Message<Placed> message) throws Exception {
            deliveries.add(message.id());
            inbox.once(message, c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO effects (order_id) VALUES (?)")) {
                    ps.setString(1, event.id());
                    ps.executeUpdate();
                }
            });
        }
    }

    private static void table(DataSource db) throws SQLException {
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS effects (order_id VARCHAR(64))");
            st.execute("CREATE TABLE IF NOT EXISTS orders (id VARCHAR(64) PRIMARY KEY)");
        }
    }

    private static void place(DataSource db, Outbox outbox, String id) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders (id) VALUES (?)")) {
                ps.setString(1, id);
                ps.executeUpdate();
            }
            outbox.publish(c, "placed", id.substring(0, 2), new Placed(id));
            c.commit();
        }
    }

    private static long count(DataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long countQuietly(DataSource db, String sql) {
        try {
            return count(db, sql);
        } catch (SQLException e) {
            return -1;
        }
    }

    private static Process relay(String url, String bootstrap, boolean block) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), RelayMain.class.getName(), url,
                bootstrap, block ? "block" : "run").redirectErrorStream(true).start();
    }

    private static void awaitLine(Process p, String line, List<String> output) {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> printed = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofVirtual().start(() -> out.lines().forEach(l -> { // keeps the pipe drained
            printed.add(l);
            output.add(l);
        }));
        // the reader ends when the JVM's output does, so a JVM that exits is not waited for
        Eventually.within(Duration.ofSeconds(60)).get("the relay JVM printed " + line, () -> List.copyOf(printed),
                lines -> lines.contains(line) || !reader.isAlive());
        if (!printed.contains(line)) {
            throw new AssertionError("the relay JVM exited without printing " + line + ":\n" + String.join("\n", printed));
        }
    }

    @Test
    @Timeout(180)
    void aRelayKilledBetweenPublishingAndMarkingSentPublishesAgainAndTheInboxAppliesOnce() throws Exception {
        String url = Databases.newPostgres("killed");
        String bootstrap = EmbeddedKafka.bootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic("placed", 4, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        // this JVM writes the orders and consumes; its own relay is off, so the child's relay publishes everything
        ServiceBuilder b = Chassis.service("effects").property("server.port", "0").property("server.shutdown.delay", "0s")
                .property("datasource.url", url).property("outbox.relay", "false")
                .property("messaging.broker", "kafka").property("messaging.kafka.bootstrap-servers", bootstrap);
        DataSource db = b.component(DataSource.class);
        Outbox outbox = b.component(Outbox.class);
        Effects effects = new Effects(b.component(Inbox.class));
        RunningService s = b.consume(effects).start();
        Process first = null;
        Process second = null;
        try {
            table(db);
            for (int i = 0; i < 200; i++) {
                place(db, outbox, "k" + (i % 7) + "-" + i);
            }
            List<String> output = new CopyOnWriteArrayList<>();
            first = relay(url, bootstrap, true);
            awaitLine(first, "PUBLISHED", output);
            first.destroyForcibly().waitFor(); // SIGKILL: its 100 rows are published but not marked sent
            Eventually.within(WAIT).until("the killed relay's batch consumed", () -> effects.deliveries.size() >= 100);
            assertThat(count(db, "SELECT COUNT(*) FROM chassis_outbox WHERE sent_at IS NULL")).isEqualTo(200);

            second = relay(url, bootstrap, false);
            awaitLine(second, "STARTED", output);
            Eventually.within(WAIT).get("every order applied (distinct orders in effects)",
                    () -> countQuietly(db, "SELECT COUNT(DISTINCT order_id) FROM effects"), n -> n == 200);
            Eventually.within(WAIT).until("the outbox marked them sent", () -> countQuietly(db,
                    "SELECT COUNT(*) FROM chassis_outbox WHERE sent_at IS NULL") == 0);
            Eventually.within(WAIT).until("the republished batch delivered", () -> effects.deliveries.size() >= 300);
            assertThat(Set.copyOf(effects.deliveries)).as("zero lost").hasSize(200);
            assertThat(effects.deliveries).as("the first batch was published twice").hasSize(300);
            assertThat(count(db, "SELECT COUNT(*) FROM effects")).as("zero double effects").isEqualTo(200);
            // a delivery is recorded before the inbox sees it: the last duplicates may not be counted yet
            Eventually.within(WAIT).untilAsserted(() -> assertThat(new TestClient(s.uri()).get("/metrics").body())
                    .contains("chassis_inbox_duplicates_total{messaging_consumer_group_name=\"effects\","
                            + "messaging_destination_name=\"placed\"} 100"));
        } finally {
            if (first != null) {
                first.destroyForcibly();
            }
            if (second != null) {
                second.destroyForcibly().waitFor();
            }
            s.stop();
        }
    }

    @Test
    @Timeout(180)
    void postgresRestartedUnderLoadThePoolAndRelayRecoverAndNothingIsLost() throws Exception {
        Path data = Files.createTempDirectory("chassis-pg");
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).start();
        int port = pg.getPort();
        String url = pg.getJdbcUrl("postgres", "postgres");
        ServiceBuilder b = Chassis.service("restart").property("server.port", "0").property("server.shutdown.delay", "0s")
                .property("datasource.url", url).property("datasource.connection-timeout", "1s")
                .property("messaging.memory.name", "restart-" + port)
                .property("consumers.effects.on.max-attempts", "100").property("consumers.effects.on.backoff", "50ms")
                .property("consumers.effects.on.max-backoff", "500ms");
        DataSource db = b.component(DataSource.class);
        Outbox outbox = b.component(Outbox.class);
        Effects effects = new Effects(b.component(Inbox.class));
        RunningService s = b.consume(effects).start();
        TestClient client = new TestClient(s.uri());
        AtomicBoolean writing = new AtomicBoolean(true);
        Set<String> committed = ConcurrentHashMap.newKeySet();
        AtomicInteger failures = new AtomicInteger();
        Thread writer = Thread.ofPlatform().start(() -> {
            int i = 0;
            while (writing.get()) {
                String id = "w" + (i % 5) + "-" + i++;
                try {
                    place(db, outbox, id);
                    committed.add(id);
                } catch (SQLException | RuntimeException e) {
                    failures.incrementAndGet(); // not known to be committed; the database is the truth below
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        });
        try {
            table(db);
            Eventually.within(WAIT).until("load running", () -> committed.size() > 100);
            pg.close(); // the server stops: connections break
            Eventually.within(WAIT).until("readiness DOWN while the database is",
                    () -> client.get("/health/ready").status() == 503);
            int failedWhileDown = failures.get();
            assertThat(client.get("/health/ready").body()).contains("database");
            pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
            Eventually.within(WAIT).until("readiness UP again", () -> client.get("/health/ready").status() == 200);
            int before = committed.size();
            Eventually.within(WAIT).until("writes succeed again", () -> committed.size() > before + 100);
            assertThat(failures.get()).as("writes failed while the database was down").isGreaterThan(0)
                    .isGreaterThanOrEqualTo(failedWhileDown);
            writing.set(false);
            writer.join();
            long orders = count(db, "SELECT COUNT(*) FROM orders");
            Eventually.within(WAIT).get("all " + orders + " committed orders applied (distinct orders in effects)",
                    () -> countQuietly(db, "SELECT COUNT(DISTINCT order_id) FROM effects"), n -> n == orders);
            assertThat(count(db, "SELECT COUNT(*) FROM effects")).as("no effect twice").isEqualTo(orders);
            assertThat(count(db, "SELECT COUNT(*) FROM orders WHERE id NOT IN (SELECT order_id FROM effects)")).isZero();
            assertThat(orders).as("every acknowledged commit is in the database").isGreaterThanOrEqualTo(committed.size());
            Eventually.within(WAIT).until("the outbox drained", () -> countQuietly(db,
                    "SELECT COUNT(*) FROM chassis_outbox WHERE sent_at IS NULL") == 0);
        } finally {
            writing.set(false);
            writer.join();
            s.stop();
            pg.close();
        }
    }
}
