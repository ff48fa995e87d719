package dev.chassis.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chassis.testing.Eventually;
import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.Post;
import dev.chassis.testing.TestClient;

/**
 * What every broker binding must do, run against each (the in-memory broker here, Kafka in
 * chassis-messaging-kafka): real services publishing and consuming. Each test uses its own topics.
 */
public abstract class BrokerContract {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** The properties that select and configure the broker under test. */
    protected abstract Map<String, String> brokerProperties();

    public record OrderPlaced(String orderId, int seq) {
    }

    @EventType("dev.chassis.test.payment.completed.v1")
    public record PaymentCompleted(String orderId, long cents) {
    }

    /** Same fields, another event. */
    @EventType("dev.chassis.test.payment.refunded.v1")
    public record Refund(String orderId, long cents) {
    }

    /**
     * Creates topics before a test uses them, where the broker needs it: Kafka creates a topic on first use,
     * and publishing into a topic being created was seen to leave acknowledgements pending for over a minute.
     */
    protected void createTopics(String... topics) {
    }

    protected ServiceBuilder service(String name) {
        ServiceBuilder b = Chassis.service(name).property("server.port", "0").property("server.shutdown.delay", "0s");
        brokerProperties().forEach(b::property);
        return b;
    }

    /** Records what it receives, for one topic and group. */
    public static class Recorder {
        final List<Message<OrderPlaced>> received = new CopyOnWriteArrayList<>();

        @Consume(topic = "t1.orders.placed", group = "billing")
        public void on(OrderPlaced event, Message<OrderPlaced> message) {
            received.add(message);
        }
    }

    @Test
    public void anEventPublishedIsConsumedWithItsCloudEventsAttributes() {
        createTopics("t1.orders.placed", "t2.orders.placed");
        Recorder recorder = new Recorder();
        var b = service("orders").consume(recorder);
        Publisher publisher = b.component(Publisher.class);
        RunningService s = b.start();
        try {
            Published p = publisher.publish("t1.orders.placed", "o-1", new OrderPlaced("o-1", 1));
            assertThat(p.topic()).isEqualTo("t1.orders.placed");
            assertThat(p.id()).matches("[0-9a-f-]{36}");
            Eventually.within(WAIT).until("the event is consumed", () -> recorder.received.size() == 1);
            Message<OrderPlaced> m = recorder.received.get(0);
            assertThat(m.data()).isEqualTo(new OrderPlaced("o-1", 1));
            assertThat(m.id()).isEqualTo(p.id());
            assertThat(m.source()).hasToString("/orders");
            assertThat(m.type()).isEqualTo(OrderPlaced.class.getName());
            assertThat(m.time()).isPresent();
            assertThat(m.key()).isEqualTo("o-1");
            assertThat(m.partition()).isEqualTo(p.partition());
            assertThat(m.offset()).isEqualTo(p.offset());
            assertThat(m.attempt()).isEqualTo(1);
            assertThat(m.header("ce_specversion")).contains("1.0");
            assertThat(m.header("content-type")).contains("application/json");
            assertThat(m.header("traceparent")).isPresent();
        } finally {
            s.stop();
        }
    }

    /** Records the sequence numbers per key, and fails on demand. */
    public static class Ordered {
        final Map<String, List<Integer>> byKey = new ConcurrentHashMap<>();
        final AtomicInteger count = new AtomicInteger();

        @Consume(topic = "t2.orders.placed", group = "shipping")
        public void on(OrderPlaced event) {
            byKey.computeIfAbsent(event.orderId(), k -> Collections.synchronizedList(new ArrayList<>())).add(event.seq());
            count.incrementAndGet();
        }
    }

    @Test
    public void orderIsKeptPerKeyAndEachGroupGetsEverything() throws Exception {
        createTopics("t2.orders.placed", "t3.payments.completed", "t3.payments.completed.dlq");
        Ordered shipping = new Ordered();
        Ordered other = new Ordered();
        // a second group of the same topic, through a second service in the same JVM (the shared in-memory broker)
        var second = service("audit").consume(new Object() {
            @Consume(topic = "t2.orders.placed", group = "audit")
            public void on(OrderPlaced event) {
                other.on(event);
            }
        });
        var b = service("shipping").consume(shipping);
        Publisher publisher = b.component(Publisher.class);
        RunningService s = b.start();
        RunningService s2 = second.start();
        try {
            List<CompletableFuture<Published>> acks = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                acks.add(publisher.publishAsync("t2.orders.placed", "k" + (i % 7), new OrderPlaced("k" + (i % 7), i)));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                    .get(60, TimeUnit.SECONDS); // every one acknowledged
            Eventually.within(WAIT).get("both groups got all 200 (shipping, audit)",
                    () -> List.of(shipping.count.get(), other.count.get()), n -> n.equals(List.of(200, 200)));
            for (Ordered o : List.of(shipping, other)) {
                assertThat(o.byKey).hasSize(7);
                o.byKey.values().forEach(seqs -> assertThat(seqs).isSorted().doesNotHaveDuplicates());
            }
        } finally {
            s2.stop();
            s.stop();
        }
    }

    /** Fails its first {@code failures} attempts per message. */
    public static final class Flaky {
        final int failures;
        final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
        final List<String> handled = new CopyOnWriteArrayList<>();
        volatile boolean poisoned = true;

        Flaky(int failures) {
            this.failures = failures;
        }

        @Consume(topic = "t3.payments.completed", group = "orders", maxAttempts = 3, backoff = "1ms")
        public void on(PaymentCompleted event, Message<PaymentCompleted> message) {
            attempts.computeIfAbsent(message.id(), k -> new AtomicInteger()).incrementAndGet();
            if (event.orderId().equals("poison") && poisoned) {
                throw new IllegalStateException("cannot pay for poison");
            }
            if (message.attempt() <= failures) {
                throw new IllegalStateException("flaky " + message.attempt()); // the attempt counts from 1 per delivery
            }
            handled.add(event.orderId());
        }
    }

    /** Reads the dead letters of a topic. */
    public static final class DlqReader {
        final List<Message<PaymentCompleted>> letters = new CopyOnWriteArrayList<>();

        @Consume(topic = "t3.payments.completed.dlq", group = "ops")
        public void on(Message<PaymentCompleted> letter) {
            letters.add(letter);
        }
    }

    @Test
    public void failuresAreRetriedThenDeadLetteredAndLaterMessagesKeepFlowingAndReplayWorks() {
        createTopics("t3.payments.completed", "t3.payments.completed.dlq");
        Flaky flaky = new Flaky(2);
        DlqReader dlq = new DlqReader();
        List<String> audited = new CopyOnWriteArrayList<>();
        Object audit = new Object() {
            @Consume(topic = "t3.payments.completed", group = "audit")
            public void on(PaymentCompleted event) {
                audited.add(event.orderId());
            }
        };
        // with a shared replay key, dead letters are signed and only letters that verify are replayed
        var b = service("payments-consumer").property("messaging.replay.key", "0123456789abcdef0123456789abcdef")
                .consume(flaky, dlq, audit);
        Publisher publisher = b.component(Publisher.class);
        DeadLetters deadLetters = b.component(DeadLetters.class);
        RunningService s = b.start();
        try {
            publisher.publish("t3.payments.completed", "same-key", new PaymentCompleted("good-1", 100));
            Published poison = publisher.publish("t3.payments.completed", "same-key", new PaymentCompleted("poison", 1));
            publisher.publish("t3.payments.completed", "same-key", new PaymentCompleted("good-2", 200));
            Eventually.within(WAIT).until("the good ones are handled", () -> flaky.handled.size() == 2);
            assertThat(flaky.handled).containsExactly("good-1", "good-2"); // in order, after the poison's attempts
            Eventually.within(WAIT).until("the poison is a dead letter", () -> dlq.letters.size() == 1);
            Message<PaymentCompleted> letter = dlq.letters.get(0);
            assertThat(letter.id()).isEqualTo(poison.id());
            assertThat(letter.data()).isEqualTo(new PaymentCompleted("poison", 1));
            assertThat(letter.type()).isEqualTo("dev.chassis.test.payment.completed.v1");
            assertThat(letter.header("chassis-dlq-error")).hasValueSatisfying(e -> assertThat(e)
                    .contains("IllegalStateException").contains("cannot pay for poison"));
            assertThat(letter.header("chassis-dlq-attempts")).contains("3");
            assertThat(letter.header("chassis-dlq-topic")).contains("t3.payments.completed");
            assertThat(letter.header("chassis-dlq-partition")).contains(Integer.toString(poison.partition()));
            assertThat(letter.header("chassis-dlq-offset")).contains(Long.toString(poison.offset()));
            assertThat(letter.header("chassis-dlq-group")).contains("orders");
            assertThat(letter.header("chassis-dlq-signature")).isPresent();
            assertThat(flaky.attempts.get(poison.id())).hasValue(3);
            // the good ones failed twice each and succeeded on the third attempt
            assertThat(flaky.attempts.values()).extracting(AtomicInteger::get).containsOnly(3);

            flaky.poisoned = false; // the bug is fixed: replay
            assertThat(deadLetters.replay("t3.payments.completed")).isEqualTo(1);
            Eventually.within(WAIT).until("the replayed letter is handled", () -> flaky.handled.contains("poison"));
            // the other group of the topic handled the poison the first time and skips the replay
            publisher.publish("t3.payments.completed", "same-key", new PaymentCompleted("after-replay", 3));
            Eventually.within(WAIT).until("the audit group saw the message after the replay",
                    () -> audited.contains("after-replay"));
            assertThat(audited).containsExactly("good-1", "poison", "good-2", "after-replay");
            assertThat(deadLetters.replay("t3.payments.completed")).as("replayed once only").isZero();
            assertThatThrownBy(() -> deadLetters.replay("t3.payments.completed.dlq"))
                    .isInstanceOf(IllegalArgumentException.class);
        } finally {
            s.stop();
        }
    }

    @Test
    public void readinessMetricsAndTracing() {
        createTopics("t1.orders.placed", "t10.orders.placed", "t11.orders.placed");
        Recorder recorder = new Recorder() {
            @Override
            @Consume(topic = "t10.orders.placed", group = "billing")
            public void on(OrderPlaced event, Message<OrderPlaced> message) {
                received.add(message);
            }
        };
        var b = service("traced").consume(recorder);
        Publisher publisher = b.component(Publisher.class);
        RunningService s = b.http(new Api(publisher)).start();
        try {
            TestClient client = new TestClient(s.uri());
            String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
            assertThat(client.post("/place", "{}", "traceparent", "00-" + trace + "-00f067aa0ba902b7-01").status())
                    .isEqualTo(204);
            Eventually.within(WAIT).until("consumed", () -> recorder.received.size() == 1);
            // HTTP request -> publish -> consume: one trace
            Eventually.within(WAIT).until("three spans stored",
                    () -> client.get("/observe/traces/" + trace).status() == 200
                            && client.get("/observe/traces/" + trace).json().get("spans").size() == 3);
            var spans = client.get("/observe/traces/" + trace).json().get("spans");
            Map<String, JsonNode> byKind = new HashMap<>();
            spans.forEach(sp -> byKind.put(sp.get("kind").asText(), sp));
            assertThat(byKind.get("PRODUCER").get("name").asText()).isEqualTo("send t10.orders.placed");
            assertThat(byKind.get("PRODUCER").get("parentSpanId").asText()).isEqualTo(byKind.get("SERVER").get("spanId")
                    .asText());
            assertThat(byKind.get("CONSUMER").get("name").asText()).isEqualTo("process t10.orders.placed");
            assertThat(byKind.get("CONSUMER").get("parentSpanId").asText()).isEqualTo(byKind.get("PRODUCER")
                    .get("spanId").asText());
            assertThat(client.get("/health/ready").body()).contains("\"messaging\"");
            String metrics = client.get("/metrics").body();
            assertThat(metrics).containsPattern("messaging_process_duration_seconds_count\\{[^}]*messaging_destination_name"
                    + "=\"t10.orders.placed\"[^}]*} 1")
                    .contains("messaging_consumer_lag{")
                    .containsPattern("messaging_client_operation_duration_seconds_count\\{[^}]*} [1-9]");
        } finally {
            s.stop();
        }
    }

    @Path("/place")
    public static final class Api {
        private final Publisher publisher;

        Api(Publisher publisher) {
            this.publisher = publisher;
        }

        @Post
        public void place() {
            publisher.publish("t10.orders.placed", "o-9", new OrderPlaced("o-9", 9));
        }
    }

    /** Blocks on a latch for a chosen message, records all, and counts how often each was delivered. */
    public static class Slow {
        final Map<Integer, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final int blockOn;

        public Slow(int blockOn) {
            this.blockOn = blockOn;
        }

        @Consume(topic = "t11.orders.placed", group = "slow")
        public void on(OrderPlaced event) throws InterruptedException {
            deliveries.computeIfAbsent(event.seq(), k -> new AtomicInteger()).incrementAndGet();
            if (event.seq() == blockOn) {
                entered.countDown();
                release.await();
            }
        }
    }

    @Test
    public void shutdownFinishesTheMessageInHandAndCommitsIt() throws Exception {
        createTopics("t11.orders.placed", "t12.orders.placed");
        Slow first = new Slow(0);
        var b = service("slow-1").consume(first);
        Publisher publisher = b.component(Publisher.class);
        RunningService s = b.start();
        publisher.publish("t11.orders.placed", "k", new OrderPlaced("k", 0));
        assertThat(first.entered.await(20, TimeUnit.SECONDS)).isTrue();
        Thread stopper = Thread.ofVirtual().start(s::stop); // shutdown begins while the handler holds message 0
        TestClient client = new TestClient(s.uri());
        Eventually.within(WAIT).until("shutdown is under way (readiness DOWN)",
                () -> client.get("/health/ready").status() == 503);
        first.release.countDown(); // ... and it finishes
        stopper.join(Duration.ofSeconds(30));
        assertThat(s.isRunning()).isFalse();
        // the next member of the group starts after message 0: it was committed
        Slow second = new Slow(-1);
        var b2 = service("slow-2").consume(second);
        Publisher p2 = b2.component(Publisher.class);
        RunningService s2 = b2.start();
        try {
            p2.publish("t11.orders.placed", "k", new OrderPlaced("k", 1));
            Eventually.within(WAIT).until("message 1 is handled", () -> second.deliveries.containsKey(1));
            assertThat(second.deliveries).doesNotContainKey(0);
            assertThat(first.deliveries.get(0)).hasValue(1);
        } finally {
            s2.stop();
        }
    }

    /** Holds every message until interrupted. */
    public static class Stuck {
        final List<Integer> seen = new CopyOnWriteArrayList<>();

        @Consume(topic = "t12.orders.placed", group = "stuck")
        public void on(OrderPlaced event) throws InterruptedException {
            seen.add(event.seq());
            Thread.sleep(Duration.ofMinutes(5));
        }
    }

    /** Records every message. */
    public static class Unstuck {
        final List<Integer> seen = new CopyOnWriteArrayList<>();

        @Consume(topic = "t12.orders.placed", group = "stuck")
        public void on(OrderPlaced event) {
            seen.add(event.seq());
        }
    }

    @Test
    public void aMessageWhoseHandlerDidNotFinishIsDeliveredAgain() {
        createTopics("t12.orders.placed", "t13.orders.placed");
        Stuck stuck = new Stuck();
        var b = service("stuck-1").property("messaging.shutdown-timeout", "200ms").consume(stuck);
        Publisher publisher = b.component(Publisher.class);
        RunningService s = b.start();
        publisher.publish("t12.orders.placed", "k", new OrderPlaced("k", 7));
        Eventually.within(WAIT).until("the handler holds message 7", () -> stuck.seen.contains(7));
        s.stop(); // the handler is interrupted: message 7 is not committed
        Unstuck next = new Unstuck();
        RunningService s2 = service("stuck-2").consume(next).start();
        try {
            Eventually.within(WAIT).until("message 7 comes again", () -> next.seen.contains(7));
        } finally {
            s2.stop();
        }
    }

    /** Counts deliveries by sequence number. */
    public static class Counting {
        final Map<Integer, AtomicInteger> deliveries = new ConcurrentHashMap<>();

        @Consume(topic = "t13.orders.placed", group = "counting", concurrency = 2)
        public void on(OrderPlaced event) {
            // counted as the key appears (merge), so a waiter that sees the key never reads a count of 0
            deliveries.merge(event.seq(), new AtomicInteger(1), (had, one) -> {
                had.incrementAndGet();
                return had;
            });
        }
    }

    @Test
    public void membersOfAGroupShareTheTopicAndAMemberLeavingLosesNothing() throws Exception {
        createTopics("t13.orders.placed");
        Counting a = new Counting();
        Counting c = new Counting();
        var ba = service("count-a").consume(a);
        Publisher publisher = ba.component(Publisher.class);
        RunningService sa = ba.start();
        RunningService sc = service("count-c").consume(c).start();
        try {
            List<CompletableFuture<Published>> acks = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                acks.add(publisher.publishAsync("t13.orders.placed", "k" + (i % 10), new OrderPlaced("k" + (i % 10), i)));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                    .get(60, TimeUnit.SECONDS); // every one acknowledged
            Eventually.within(WAIT).until("the first 100 are handled", () -> union(a, c) == 100);
            sc.stop(); // a member leaves: its partitions go to the other
            for (int i = 100; i < 200; i++) {
                publisher.publish("t13.orders.placed", "k" + (i % 10), new OrderPlaced("k" + (i % 10), i));
            }
            Eventually.within(WAIT).until("all 200 are handled", () -> union(a, c) == 200);
            // each exactly once: nothing was in hand when the member left
            for (int i = 0; i < 200; i++) {
                int n = (a.deliveries.containsKey(i) ? a.deliveries.get(i).get() : 0)
                        + (c.deliveries.containsKey(i) ? c.deliveries.get(i).get() : 0);
                assertThat(n).as("deliveries of " + i).isEqualTo(1);
            }
        } finally {
            sa.stop();
        }
    }

    private static int union(Counting a, Counting b) {
        Set<Integer> all = new HashSet<>(a.deliveries.keySet());
        all.addAll(b.deliveries.keySet());
        return all.size();
    }

    /** Counts deliveries by sequence number, slowly, so that messages queue up behind the one in hand. */
    public static class SlowCounting {
        final Map<Integer, AtomicInteger> deliveries = new ConcurrentHashMap<>();

        @Consume(topic = "t14.orders.placed", group = "slow-counting")
        public void on(OrderPlaced event) throws InterruptedException {
            // counted as the key appears (merge), so a waiter that sees the key never reads a count of 0
            deliveries.merge(event.seq(), new AtomicInteger(1), (had, one) -> {
                had.incrementAndGet();
                return had;
            });
            Thread.sleep(5);
        }
    }

    @Test
    public void aMemberLeavingWithMessagesQueuedHandsThemOverOnce() throws Exception {
        createTopics("t14.orders.placed");
        SlowCounting a = new SlowCounting();
        SlowCounting c = new SlowCounting();
        var ba = service("queued-a").consume(a);
        Publisher publisher = ba.component(Publisher.class);
        RunningService sa = ba.start();
        RunningService sc = service("queued-c").consume(c).start();
        try {
            // until both members hold partitions (Kafka assigns them in a rebalance): warm-up messages, seq < 0
            AtomicInteger warmUp = new AtomicInteger();
            Eventually.within(WAIT).until("both members hold partitions", () -> {
                int w = warmUp.decrementAndGet();
                publisher.publish("t14.orders.placed", "w" + (w % 16), new OrderPlaced("w", w));
                return a.deliveries.keySet().stream().anyMatch(k -> k < 0)
                        && c.deliveries.keySet().stream().anyMatch(k -> k < 0);
            });
            List<CompletableFuture<Published>> acks = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                acks.add(publisher.publishAsync("t14.orders.placed", "k" + (i % 16), new OrderPlaced("k" + (i % 16), i)));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                    .get(60, TimeUnit.SECONDS);
            Eventually.within(WAIT).until("the leaving member is busy",
                    () -> c.deliveries.keySet().stream().anyMatch(k -> k >= 0));
            sc.stop(); // with messages in hand and queued behind them
            Eventually.within(WAIT).get("all 400 are handled", () -> slowUnion(a, c), n -> n >= 400);
            for (int i = 0; i < 400; i++) {
                int n = (a.deliveries.containsKey(i) ? a.deliveries.get(i).get() : 0)
                        + (c.deliveries.containsKey(i) ? c.deliveries.get(i).get() : 0);
                assertThat(n).as("deliveries of " + i + " (committed before the hand-over, so once)").isEqualTo(1);
            }
        } finally {
            sa.stop();
        }
    }

    private static int slowUnion(SlowCounting a, SlowCounting b) {
        Set<Integer> all = new HashSet<>(a.deliveries.keySet());
        all.addAll(b.deliveries.keySet());
        all.removeIf(k -> k < 0); // warm-up messages
        return all.size();
    }

    /** Handles payments; records what it got. */
    public static class Payments {
        final List<PaymentCompleted> handled = new CopyOnWriteArrayList<>();

        @Consume(topic = "t15.payments", group = "payments")
        public void on(PaymentCompleted event) {
            handled.add(event);
        }
    }

    /** Reads the dead letters whatever their type (JsonNode declares no @EventType). */
    public static class AnyLetters {
        final List<Message<JsonNode>> letters = new CopyOnWriteArrayList<>();

        @Consume(topic = "t15.payments.dlq", group = "ops")
        public void on(Message<JsonNode> letter) {
            letters.add(letter);
        }
    }

    @Test
    public void anEventOfAnotherDeclaredTypeIsADeadLetterAtOnce() {
        createTopics("t15.payments", "t15.payments.dlq");
        Payments payments = new Payments();
        AnyLetters letters = new AnyLetters();
        var b = service("typed").consume(payments, letters);
        Publisher publisher = b.component(Publisher.class);
        RunningService s = b.start();
        try {
            Published stranger = publisher.publish("t15.payments", "k", new Refund("o-1", 100)); // same fields
            publisher.publish("t15.payments", "k", new PaymentCompleted("o-1", 100));
            Eventually.within(WAIT).until("the payment is handled", () -> payments.handled.size() == 1);
            Eventually.within(WAIT).until("the refund is a dead letter", () -> letters.letters.size() == 1);
            assertThat(payments.handled).containsExactly(new PaymentCompleted("o-1", 100));
            Message<JsonNode> letter = letters.letters.get(0);
            assertThat(letter.id()).isEqualTo(stranger.id());
            assertThat(letter.header("chassis-dlq-attempts")).contains("0");
            assertThat(letter.header("chassis-dlq-error")).hasValueSatisfying(e -> assertThat(e)
                    .contains("dev.chassis.test.payment.refunded.v1").contains("dev.chassis.test.payment.completed.v1"));
        } finally {
            s.stop();
        }
    }
}
