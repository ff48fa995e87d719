package dev.chassis.messaging.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.Problem;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.http.Body;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.Post;
import dev.chassis.core.http.Status;
import dev.chassis.messaging.Consume;
import dev.chassis.testing.Eventually;
import dev.chassis.messaging.EventType;
import dev.chassis.messaging.Message;
import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;

/**
 * The outbox, the inbox and Idempotency-Key on one database, run against H2 and against a real PostgreSQL server:
 * an orders service writes orders and their events in one transaction over HTTP; a notifications handler applies
 * each event once through the inbox.
 */
abstract class StoreContract {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** A new, empty database: its JDBC URL. */
    abstract String newDatabase(String name);

    private final List<RunningService> running = new ArrayList<>();

    @AfterEach
    void stopServices() {
        running.forEach(RunningService::stop);
        running.clear();
    }

    record PlaceOrder(String id, String customer, int amount, Boolean rollBack) {
    }

    @EventType("orders.placed.v1")
    record OrderPlaced(String id, String customer, int amount) {
    }

    record Placed(String id, String eventId) {
    }

    @Path("/orders")
    public static final class OrderApi {
        final DataSource db;
        final Outbox outbox;
        final AtomicInteger runs = new AtomicInteger();

        OrderApi(DataSource db, Outbox outbox) {
            this.db = db;
            this.outbox = outbox;
        }

        @Post
        @Status(201)
        public Placed place(@Body PlaceOrder order) throws SQLException {
            runs.incrementAndGet();
            if (order.amount() < 0) {
                throw new IllegalStateException("a bug: negative amounts are not handled");
            }
            return placeIn(db, outbox, order);
        }

        volatile long slowMillis = 300;

        @Post("/slow")
        @Status(201)
        public Placed placeSlowly(@Body PlaceOrder order) throws Exception {
            runs.incrementAndGet();
            Thread.sleep(slowMillis);
            return placeIn(db, outbox, order);
        }
    }

    static Placed placeIn(DataSource db, Outbox outbox, PlaceOrder order) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders (id, customer, amount) VALUES (?, ?, ?)")) {
                ps.setString(1, order.id());
                ps.setString(2, order.customer());
                ps.setInt(3, order.amount());
                ps.executeUpdate();
            }
            String eventId = outbox.publish(c, "orders.placed", order.customer(),
                    new OrderPlaced(order.id(), order.customer(), order.amount()));
            if (Boolean.TRUE.equals(order.rollBack())) {
                c.rollback();
                throw Problem.conflict("order " + order.id() + " was rolled back");
            }
            c.commit();
            return new Placed(order.id(), eventId);
        }
    }

    /** Applies each event once: a notification row per order, through the inbox. */
    public static final class Notifications {
        final DataSource db;
        final Inbox inbox;
        final List<Message<OrderPlaced>> received = new CopyOnWriteArrayList<>();
        final AtomicInteger applied = new AtomicInteger();
        final AtomicInteger failFirst = new AtomicInteger();

        Notifications(DataSource db, Inbox inbox) {
            this.db = db;
            this.inbox = inbox;
        }

        @Consume(topic = "orders.placed", group = "notifications", backoff = "5ms")
        public void on(OrderPlaced event, Message<OrderPlaced> message) throws Exception {
            received.add(message);
            boolean ran = inbox.once(message, c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO notifications (event_id, order_id)"
                        + " VALUES (?, ?)")) {
                    ps.setString(1, message.id());
                    ps.setString(2, event.id());
                    ps.executeUpdate();
                }
                if (failFirst.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new IllegalStateException("the notification could not be sent");
                }
            });
            if (ran) {
                applied.incrementAndGet();
            }
        }
    }

    /** A started service with the orders API and the notifications handler on a database with their tables. */
    record Orders(RunningService service, TestClient client, DataSource db, Outbox outbox, OrderApi api,
                  Notifications notifications) {
    }

    Orders start(String name, String url, String broker, Map<String, String> properties) throws SQLException {
        ServiceBuilder b = Chassis.service(name).property("server.port", "0").property("server.shutdown.delay", "0s")
                .property("datasource.url", url).property("messaging.memory.name", broker);
        properties.forEach(b::property);
        DataSource db = b.component(DataSource.class);
        Outbox outbox = b.component(Outbox.class);
        Inbox inbox = b.component(Inbox.class);
        OrderApi api = new OrderApi(db, outbox);
        Notifications notifications = new Notifications(db, inbox);
        RunningService s = b.http(api).consume(notifications).start();
        running.add(s);
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS orders (id VARCHAR(64) PRIMARY KEY, customer VARCHAR(64),"
                    + " amount INT)");
            st.execute("CREATE TABLE IF NOT EXISTS notifications (event_id VARCHAR(64), order_id VARCHAR(64))");
        }
        return new Orders(s, new TestClient(s.uri()), db, outbox, api, notifications);
    }

    Orders start(String name) throws SQLException {
        String url = newDatabase(name);
        return start(name, url, url, Map.of());
    }

    static String order(String id, String customer, int amount) {
        return "{\"id\":\"" + id + "\",\"customer\":\"" + customer + "\",\"amount\":" + amount + "}";
    }

    static long count(DataSource db, String sql) {
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void committedEventsArePublishedInOrderPerKeyAndRolledBackOnesNever() throws Exception {
        Orders o = start("orders");
        for (int i = 0; i < 15; i++) {
            for (String customer : List.of("ada", "bob", "cy")) {
                assertThat(o.client().post("/orders", order(customer + "-" + i, customer, i)).status()).isEqualTo(201);
            }
        }
        TestResponse rolledBack = o.client().post("/orders",
                "{\"id\":\"ghost\",\"customer\":\"ada\",\"amount\":1,\"rollBack\":true}");
        assertThat(rolledBack.status()).isEqualTo(409);
        // the handler records a message before its inbox transaction commits: wait for the 45 applications
        Eventually.within(WAIT).until("45 events applied", () -> o.notifications().applied.get() >= 45);
        Eventually.within(WAIT).until("the outbox marked them sent", () -> count(o.db(),
                "SELECT COUNT(*) FROM chassis_outbox WHERE sent_at IS NULL") == 0);
        // nothing is left to relay: a rolled-back event has no row (the outbox holds exactly 45, asserted below)
        Map<String, List<String>> perKey = new HashMap<>();
        for (Message<OrderPlaced> m : o.notifications().received) {
            perKey.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(m.data().id());
            assertThat(m.type()).isEqualTo("orders.placed.v1");
            assertThat(m.source().toString()).isEqualTo("/orders");
        }
        for (String customer : List.of("ada", "bob", "cy")) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                expected.add(customer + "-" + i);
            }
            assertThat(perKey.get(customer)).as("events of %s in the order written", customer).isEqualTo(expected);
        }
        assertThat(o.notifications().received).noneMatch(m -> m.data().id().equals("ghost"));
        assertThat(count(o.db(), "SELECT COUNT(*) FROM orders WHERE id = 'ghost'")).isZero();
        assertThat(count(o.db(), "SELECT COUNT(*) FROM chassis_outbox")).isEqualTo(45);
        assertThat(o.notifications().applied.get()).isEqualTo(45);
    }

    @Test
    void theTransactionsTraceContinuesThroughTheRelayToTheConsumer() throws Exception {
        Orders o = start("traced");
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        assertThat(o.client().post("/orders", order("t-1", "ada", 5), "traceparent",
                "00-" + trace + "-00f067aa0ba902b7-01").status()).isEqualTo(201);
        Eventually.within(WAIT).until("the event consumed", () -> o.notifications().received.size() == 1);
        assertThat(o.notifications().received.get(0).header("traceparent")).hasValueSatisfying(tp ->
                assertThat(tp).startsWith("00-" + trace + "-"));
        Eventually.within(WAIT).until("server, send and process spans stored", () -> {
            TestResponse r = o.client().get("/observe/traces/" + trace);
            return r.status() == 200 && r.json().get("spans").size() >= 3;
        });
        List<String> names = new ArrayList<>();
        o.client().get("/observe/traces/" + trace).json().get("spans").forEach(s -> names.add(s.get("name").asText()));
        assertThat(names).contains("POST /orders", "send orders.placed", "process orders.placed");
    }

    @Test
    void twoInstancesRelayingAtOncePublishEachEventOnceInOrderPerKey() throws Exception {
        String url = newDatabase("pair");
        Orders a = start("pair", url, url, Map.of("outbox.batch-size", "7"));
        Orders b = start("pair", url, url, Map.of("outbox.batch-size", "7"));
        int perWriter = 150;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (Orders o : List.of(a, b)) {
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < perWriter; i++) {
                        String customer = "c" + (i % 5);
                        placeIn(o.db(), o.outbox(), new PlaceOrder(o.service().info().instanceId() + "-" + i, customer,
                                i, false));
                    }
                    return null;
                }));
            }
            for (Future<?> w : writers) {
                w.get();
            }
        } finally {
            pool.shutdown();
        }
        // applied, not only received: a message is recorded before its inbox transaction commits
        Eventually.within(WAIT).get("300 events applied", () -> a.notifications().applied.get()
                + b.notifications().applied.get(), n -> n >= 2 * perWriter);
        Eventually.within(WAIT).until("the outbox marked them sent", () -> count(a.db(),
                "SELECT COUNT(*) FROM chassis_outbox WHERE sent_at IS NULL") == 0);
        List<Message<OrderPlaced>> all = new ArrayList<>(a.notifications().received);
        all.addAll(b.notifications().received);
        assertThat(all).hasSize(2 * perWriter);
        assertThat(new HashSet<>(all.stream().map(Message::id).toList())).hasSize(2 * perWriter);
        // order per key: within one key, each writer's orders arrive in the order it wrote them
        Map<String, List<Integer>> seen = new HashMap<>();
        all.sort(Comparator.comparingInt((Message<OrderPlaced> m) -> m.partition())
                .thenComparingLong(Message::offset));
        for (Message<OrderPlaced> m : all) {
            String writer = m.data().id().substring(0, m.data().id().lastIndexOf('-'));
            seen.computeIfAbsent(m.key() + "/" + writer, k -> new ArrayList<>()).add(m.data().amount());
        }
        seen.forEach((k, amounts) -> assertThat(amounts).as(k).isSorted());
        assertThat(count(a.db(), "SELECT COUNT(*) FROM notifications")).isEqualTo(2L * perWriter);
    }

    @Test
    void theInboxAppliesARepublishedEventOnceAndCountsTheDuplicate() throws Exception {
        Orders o = start("dupes");
        o.notifications().failFirst.set(1); // the first attempt's work fails: nothing may stay recorded
        assertThat(o.client().post("/orders", order("d-1", "ada", 3)).status()).isEqualTo(201);
        Eventually.within(WAIT).until("applied once", () -> o.notifications().applied.get() == 1);
        assertThat(o.notifications().received).hasSize(2); // the failed attempt and the retry
        // the relay marks a row sent after the broker's ack, which may come after the handler ran: were it not
        // marked yet, its late mark would undo the reset below and nothing would be sent again
        Eventually.within(WAIT).until("the outbox marked it sent", () -> count(o.db(),
                "SELECT COUNT(*) FROM chassis_outbox WHERE sent_at IS NULL") == 0);
        // the relay publishes the same event again, as after a crash between publishing and marking sent
        try (Connection c = o.db().getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE chassis_outbox SET sent_at = NULL");
        }
        Eventually.within(WAIT).until("redelivered", () -> o.notifications().received.size() == 3);
        Eventually.within(WAIT).until("the duplicate counted", () -> o.client().get("/metrics").body()
                .contains("chassis_inbox_duplicates_total{messaging_consumer_group_name=\"notifications\","
                        + "messaging_destination_name=\"orders.placed\"} 1"));
        assertThat(o.notifications().received.get(2).id()).isEqualTo(o.notifications().received.get(0).id());
        assertThat(o.notifications().applied.get()).isEqualTo(1);
        assertThat(count(o.db(), "SELECT COUNT(*) FROM notifications")).isEqualTo(1);
        assertThat(count(o.db(), "SELECT COUNT(*) FROM chassis_inbox")).isEqualTo(1);
    }

    @Test
    void aRepeatedIdempotencyKeyGetsTheFirstAnswerAndADifferentBody422() throws Exception {
        Orders o = start("idem");
        TestResponse first = o.client().post("/orders", order("k-1", "ada", 10), "Idempotency-Key", "key-1");
        assertThat(first.status()).isEqualTo(201);
        TestResponse again = o.client().post("/orders", order("k-1", "ada", 10), "Idempotency-Key", "key-1");
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.header("Content-Type")).isEqualTo(first.header("Content-Type"));
        assertThat(again.header("Idempotent-Replayed")).hasValue("true");
        assertThat(o.api().runs.get()).isEqualTo(1);
        assertThat(count(o.db(), "SELECT COUNT(*) FROM chassis_outbox")).isEqualTo(1);

        TestResponse other = o.client().post("/orders", order("k-1", "ada", 11), "Idempotency-Key", "key-1");
        assertThat(other.status()).isEqualTo(422);
        assertThat(other.header("Content-Type")).hasValue("application/problem+json");
        assertThat(other.json().get("detail").asText()).contains("different request");
        assertThat(o.api().runs.get()).isEqualTo(1);

        // a 4xx answer is kept too: the same request gets the same conflict without running
        String ghost = "{\"id\":\"g\",\"customer\":\"ada\",\"amount\":1,\"rollBack\":true}";
        assertThat(o.client().post("/orders", ghost, "Idempotency-Key", "key-2").status()).isEqualTo(409);
        assertThat(o.client().post("/orders", ghost, "Idempotency-Key", "key-2").header("Idempotent-Replayed"))
                .hasValue("true");
        assertThat(o.api().runs.get()).isEqualTo(2);

        // a 5xx is not kept: the retry runs again
        assertThat(o.client().post("/orders", order("k-3", "ada", -1), "Idempotency-Key", "key-3").status())
                .isEqualTo(500);
        assertThat(o.client().post("/orders", order("k-3", "ada", -1), "Idempotency-Key", "key-3").status())
                .isEqualTo(500);
        assertThat(o.api().runs.get()).isEqualTo(4);

        // without a key, every request runs
        assertThat(o.client().post("/orders", order("n-1", "bob", 1)).status()).isEqualTo(201);
        assertThat(o.client().post("/orders", order("n-1", "bob", 1)).status()).isEqualTo(500); // duplicate id
        assertThat(o.api().runs.get()).isEqualTo(6);
    }

    @Test
    void badIdempotencyKeysAre400() throws Exception {
        Orders o = start("badkeys");
        for (String bad : List.of("", "x".repeat(256), "with space", "\"\"")) {
            TestResponse r = o.client().post("/orders", order("b", "ada", 1), "Idempotency-Key", bad);
            assertThat(r.status()).as("key '%s'", bad).isEqualTo(400);
            assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("Idempotency-Key");
        }
        TestResponse twice = o.client().post("/orders", order("b", "ada", 1), "Idempotency-Key", "a",
                "Idempotency-Key", "b");
        assertThat(twice.status()).isEqualTo(400);
        assertThat(o.api().runs.get()).isZero();
        // an IETF-style quoted key is the same key unquoted
        assertThat(o.client().post("/orders", order("q", "ada", 1), "Idempotency-Key", "\"k9\"").status())
                .isEqualTo(201);
        assertThat(o.client().post("/orders", order("q", "ada", 1), "Idempotency-Key", "k9").header(
                "Idempotent-Replayed")).hasValue("true");
    }

    @Test
    void concurrentRequestsWithOneKeyRunOnce() throws Exception {
        Orders o = start("racing");
        int n = 6;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<TestResponse>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return o.client().post("/orders/slow", order("r-1", "ada", 7), "Idempotency-Key", "race");
                }));
            }
            go.countDown();
            List<TestResponse> all = new ArrayList<>();
            for (Future<TestResponse> f : answers) {
                all.add(f.get());
            }
            assertThat(all).allSatisfy(r -> assertThat(r.status()).isEqualTo(201));
            assertThat(all.stream().map(TestResponse::body).distinct()).hasSize(1);
            assertThat(all.stream().filter(r -> r.header("Idempotent-Replayed").isPresent())).hasSize(n - 1);
        } finally {
            pool.shutdown();
        }
        assertThat(o.api().runs.get()).isEqualTo(1);
        assertThat(count(o.db(), "SELECT COUNT(*) FROM orders")).isEqualTo(1);
    }

    @Test
    void backlogAndTheOldestUnsentEventAreMetrics() throws Exception {
        String url = newDatabase("backlog");
        Orders o = start("backlog", url, url, Map.of("outbox.relay", "false"));
        for (int i = 0; i < 3; i++) {
            assertThat(o.client().post("/orders", order("b-" + i, "ada", i)).status()).isEqualTo(201);
        }
        // read by the relay's thread about once a second: wait until the oldest is over a second old
        Eventually.within(WAIT).until("a backlog of 3, the oldest over a second old", () -> {
            String metrics = o.client().get("/metrics").body();
            return metrics.contains("chassis_outbox_backlog 3") && metrics.lines()
                    .filter(l -> l.startsWith("chassis_outbox_oldest_unsent_age_seconds "))
                    .anyMatch(l -> Double.parseDouble(l.split(" ")[1]) >= 1.0);
        });
        assertThat(o.client().get("/metrics").body()).contains("db_client_connection_max");
        assertThat(o.notifications().received).isEmpty();
    }

    @Test
    void anEventThatCannotBePublishedBacksOffAndHoldsBackOnlyItsKey() throws Exception {
        Orders o = start("poison");
        // a row the relay cannot hand to the broker (its headers are not JSON), as a corrupted row would be
        try (Connection c = o.db().getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO chassis_outbox (topic, record_key, event_id,"
                     + " headers, payload, created_at) VALUES ('orders.placed', 'ada', 'bad-1', 'not json', ?, ?)")) {
            ps.setBytes(1, "{\"id\":\"first\",\"customer\":\"ada\",\"amount\":1}".getBytes(
                    StandardCharsets.UTF_8));
            ps.setObject(2, OffsetDateTime.now(ZoneOffset.UTC));
            ps.executeUpdate();
        }
        assertThat(o.client().post("/orders", order("ada-2", "ada", 2)).status()).isEqualTo(201);
        assertThat(o.client().post("/orders", order("bob-1", "bob", 1)).status()).isEqualTo(201);
        Eventually.within(WAIT).until("bob's event published", () -> o.notifications().received.size() == 1);
        assertThat(o.notifications().received.get(0).data().id()).isEqualTo("bob-1");
        Eventually.within(WAIT).until("the bad row's attempt counted", () -> count(o.db(),
                "SELECT COUNT(*) FROM chassis_outbox WHERE event_id = 'bad-1' AND attempts >= 1"
                        + " AND last_error IS NOT NULL AND next_attempt_at IS NOT NULL") == 1);
        // a later event of another key goes out, so the relay has passed over ada's waiting event since
        assertThat(o.client().post("/orders", order("cy-1", "cy", 1)).status()).isEqualTo(201);
        Eventually.within(WAIT).until("cy's event published", () -> o.notifications().received.stream()
                .anyMatch(m -> m.key().equals("cy")));
        assertThat(o.notifications().received).as("ada's later event waits for her first")
                .noneMatch(m -> m.key().equals("ada"));
        // an operator repairs the row: both of ada's events go, in order
        try (Connection c = o.db().getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE chassis_outbox SET next_attempt_at = NULL, headers = '{\"ce_specversion\":[\"1.0\"],"
                    + "\"ce_id\":[\"bad-1\"],\"ce_source\":[\"/poison\"],\"ce_type\":[\"orders.placed.v1\"],"
                    + "\"content-type\":[\"application/json\"]}' WHERE event_id = 'bad-1'");
        }
        Eventually.within(WAIT).until("ada's events published", () -> o.notifications().received.size() == 4);
        assertThat(o.notifications().received.stream().filter(m -> m.key().equals("ada")).map(m -> m.data().id()))
                .containsExactly("first", "ada-2");
    }

    /**
     * A key whose first row backs off, with more later rows than a batch holds, does not hold back the other keys:
     * those later rows once filled every batch, each dropped to keep the key's order, and nothing else went out.
     */
    @Test
    void aKeyWithMoreWaitingRowsThanABatchHoldsBackOnlyItself() throws Exception {
        String url = newDatabase("hol");
        Orders o = start("hol", url, url, Map.of("outbox.batch-size", "10"));
        try (Connection c = o.db().getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO chassis_outbox (topic, record_key, event_id,"
                     + " headers, payload, created_at) VALUES ('orders.placed', 'ada', ?, ?, ?, ?)")) {
            for (int i = 0; i < 25; i++) { // the first cannot be handed to the broker (its headers are not JSON)
                ps.setString(1, "ada-" + i);
                ps.setString(2, i == 0 ? "not json" : "{\"ce_specversion\":[\"1.0\"],\"ce_id\":[\"ada-" + i + "\"],"
                        + "\"ce_source\":[\"/hol\"],\"ce_type\":[\"orders.placed.v1\"],\"content-type\":[\"application/json\"]}");
                ps.setBytes(3, order("ada-" + i, "ada", 1).getBytes(StandardCharsets.UTF_8));
                ps.setObject(4, OffsetDateTime.now(ZoneOffset.UTC));
                ps.executeUpdate();
            }
        }
        Eventually.within(WAIT).until("the bad row's attempt counted", () -> count(o.db(),
                "SELECT COUNT(*) FROM chassis_outbox WHERE event_id = 'ada-0' AND next_attempt_at IS NOT NULL") == 1);
        assertThat(o.client().post("/orders", order("bob-1", "bob", 1)).status()).isEqualTo(201);
        Eventually.within(WAIT).until("bob's event published past ada's 24 waiting rows",
                () -> o.notifications().received.stream().anyMatch(m -> m.key().equals("bob")));
        assertThat(o.notifications().received).as("ada's rows wait for her first").noneMatch(m -> m.key().equals("ada"));
    }

    @Test
    void aRequestRunningLongerThanTheLeaseKeepsItsKey() throws Exception {
        String url = newDatabase("lease");
        Orders o = start("lease", url, url, Map.of("idempotency.lease", "1s"));
        o.api().slowMillis = 2500;
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<TestResponse> first = pool.submit(() -> o.client().post("/orders/slow", order("l-1", "ada", 1),
                    "Idempotency-Key", "long"));
            // until the first claim is past its original lease and still held: renewed, so the repeat waits
            Eventually.within(WAIT).until("the claim renewed past its first lease",
                    () -> renewedPastFirstLease(o.db(), "long"));
            TestResponse repeat = o.client().post("/orders/slow", order("l-1", "ada", 1), "Idempotency-Key", "long");
            assertThat(first.get().status()).isEqualTo(201);
            assertThat(repeat.status()).isEqualTo(201);
            assertThat(repeat.header("Idempotent-Replayed")).hasValue("true");
            assertThat(o.api().runs.get()).isEqualTo(1);
        } finally {
            pool.shutdown();
        }
    }

    /** Whether a claim's row exists, its first lease (1 s) has passed, and it is locked beyond now. */
    private static boolean renewedPastFirstLease(DataSource db, String key) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT created_at, locked_until FROM chassis_idempotency WHERE idem_key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                Instant now = Instant.now();
                return now.isAfter(rs.getObject(1, OffsetDateTime.class).toInstant().plusMillis(1100))
                        && rs.getObject(2, OffsetDateTime.class).toInstant().isAfter(now);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void keysOfDifferentCallersAreDifferentKeys() throws Exception {
        Orders o = start("callers");
        assertThat(o.client().post("/orders", order("a-1", "ada", 1), "Idempotency-Key", "k",
                "Authorization", "Bearer ada").status()).isEqualTo(201);
        assertThat(o.client().post("/orders", order("a-1", "ada", 1), "Idempotency-Key", "k",
                "Authorization", "Bearer ada").header("Idempotent-Replayed")).hasValue("true");
        // another caller with the same key and body: its own request, not ada's answer (a duplicate id here: 500)
        TestResponse bob = o.client().post("/orders", order("a-1", "ada", 1), "Idempotency-Key", "k",
                "Authorization", "Bearer bob");
        assertThat(bob.header("Idempotent-Replayed")).isEmpty();
        assertThat(o.api().runs.get()).isEqualTo(2);
    }

    @Test
    void sentEventsHandledIdsAndAnswersAreDeletedAfterTheirRetention() throws Exception {
        String url = newDatabase("cleanup");
        Orders o = start("cleanup", url, url, Map.of("outbox.retention", "0s", "outbox.cleanup-interval", "200ms",
                "inbox.retention", "1s", "idempotency.retention", "1s"));
        for (int i = 0; i < 3; i++) {
            assertThat(o.client().post("/orders", order("c-" + i, "ada", i), "Idempotency-Key", "c-" + i).status())
                    .isEqualTo(201);
        }
        Eventually.within(WAIT).until("3 events applied", () -> o.notifications().applied.get() == 3);
        Eventually.within(WAIT).until("sent rows deleted",
                () -> count(o.db(), "SELECT COUNT(*) FROM chassis_outbox") == 0);
        Eventually.within(WAIT).until("handled ids and answers deleted after a second", () -> count(o.db(),
                "SELECT COUNT(*) FROM chassis_inbox") == 0 && count(o.db(), "SELECT COUNT(*) FROM chassis_idempotency") == 0);
        assertThat(count(o.db(), "SELECT COUNT(*) FROM notifications")).isEqualTo(3); // the service's own rows stay
    }

    @Test
    void misuseIsRefusedWithTheFix() throws Exception {
        Orders o = start("misuse");
        Inbox inbox = o.notifications().inbox;
        Message<String> message = new Message<>("id-1", URI.create("/misuse"), "t", Optional.empty(),
                Optional.empty(), "orders.placed", "notifications", 0, 0L, "k", Map.of(), "x", 1);
        Message<String> groupless = new Message<>("id-2", URI.create("/misuse"), "t", Optional.empty(),
                Optional.empty(), "orders.placed", null, 0, 0L, "k", Map.of(), "x", 1);
        try (Connection c = o.db().getConnection()) {
            assertThatThrownBy(() -> inbox.record(c, message)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("auto-commit").hasMessageContaining("Fix");
            c.setAutoCommit(false);
            assertThatThrownBy(() -> inbox.record(c, groupless)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no consumer group");
            c.rollback();
            c.setAutoCommit(true);
        }
        assertThat(count(o.db(), "SELECT COUNT(*) FROM chassis_inbox")).isZero();
        try (Connection c = o.db().getConnection()) {
            assertThatThrownBy(() -> o.outbox().publish(c, "orders.placed", "k", new OrderPlaced("1", "a", 1)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("auto-commit")
                    .hasMessageContaining("Fix");
            c.setAutoCommit(false);
            assertThatThrownBy(() -> o.outbox().publish(c, "no spaces allowed", "k", new OrderPlaced("1", "a", 1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a topic name");
            assertThatThrownBy(() -> o.outbox().publish(c, "orders.placed", "k".repeat(1025), "x"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1024");
            Map<String, Object> cyclic = new HashMap<>();
            cyclic.put("self", cyclic);
            assertThatThrownBy(() -> o.outbox().publish(c, "orders.placed", "k", cyclic))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be written as JSON");
            c.rollback();
        }
        assertThat(count(o.db(), "SELECT COUNT(*) FROM chassis_outbox")).isZero();
    }
}
