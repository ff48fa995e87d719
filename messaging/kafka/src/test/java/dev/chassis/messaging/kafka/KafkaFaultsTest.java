package dev.chassis.messaging.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.messaging.Consume;
import dev.chassis.testing.Eventually;
import dev.chassis.messaging.Message;
import dev.chassis.messaging.PublishException;
import dev.chassis.messaging.Publisher;
import dev.chassis.testing.TestClient;

/**
 * Faults against a Kafka broker in a separate process: the broker SIGKILLed mid-publish and restarted, a
 * consumer process killed between handling and committing, a poison message. Counted by unique ids.
 */
class KafkaFaultsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    static KafkaProcess kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = new KafkaProcess();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        kafka.close();
    }

    private static ServiceBuilder service(String name) {
        return Chassis.service(name).property("server.port", "0").property("server.shutdown.delay", "0s")
                .property("messaging.broker", "kafka").property("messaging.kafka.bootstrap-servers", kafka.bootstrapServers())
                .property("messaging.kafka.linger", "1ms").property("messaging.publish-timeout", "2s");
    }

    public record Numbered(int seq) {
    }

    /** Records the ids it consumed. */
    public static final class Ids {
        final Set<String> ids = ConcurrentHashMap.newKeySet();

        @Consume(topic = "f1.numbers", group = "counter")
        public void on(Numbered event, Message<Numbered> message) {
            ids.add(message.id());
        }
    }

    @Test
    void everyAcknowledgedMessageIsConsumedAcrossABrokerKillAndRestart() throws Exception {
        Ids consumer = new Ids();
        RunningService c = service("f1-consumer").consume(consumer).start();
        var b = service("f1-producer");
        Publisher publisher = b.component(Publisher.class);
        RunningService p = b.start();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        int refused = 0;
        try {
            for (int i = 0; i < 400; i++) {
                if (i == 150) {
                    kafka.kill(); // mid-publish: nothing flushed, no shutdown
                    TestClient health = new TestClient(c.uri());
                    // the broker is reported DOWN, and readiness stays UP (health.dependencies.messaging.affects-readiness
                    // is false by default: every replica shares the broker)
                    Eventually.within(WAIT).until("the messaging check is DOWN while the broker is",
                            () -> health.get("/health/ready").body().contains("\"name\":\"messaging\",\"status\":\"DOWN\""));
                    assertThat(health.get("/health/ready").status()).isEqualTo(200);
                }
                if (i == 158) {
                    kafka.start(); // the publishes in between waited and failed (or were sent late)
                    TestClient health = new TestClient(c.uri());
                    Eventually.within(WAIT).until("the messaging check is UP again",
                            () -> health.get("/health/ready").body().contains("\"name\":\"messaging\",\"status\":\"UP\""));
                }
                try {
                    acknowledged.add(publisher.publish("f1.numbers", "k" + (i % 8), new Numbered(i)).id());
                } catch (PublishException e) {
                    refused++; // not acknowledged: may or may not arrive, and is not counted
                }
            }
            assertThat(refused).as("publishing while the broker was down failed").isPositive();
            assertThat(acknowledged.size()).isGreaterThan(300);
            Eventually.within(WAIT).get("every acknowledged message is consumed (the number missing is 0)",
                    () -> acknowledged.stream().filter(id -> !consumer.ids.contains(id)).count(), n -> n == 0);
        } finally {
            p.stop();
            c.stop();
            kafka.ensureRunning(); // for the other tests, whatever happened here
        }
    }

    @Test
    void aMessageHandledButNotCommittedWhenTheConsumerDiesComesAgain() throws Exception {
        var b = service("f2-producer");
        Publisher publisher = b.component(Publisher.class);
        RunningService p = b.start();
        try {
            for (int i = 0; i < 5; i++) {
                publisher.publish("f2.numbers", "one-key", new ConsumerMain.Numbered(i));
            }
            String java = ProcessHandle.current().info().command().orElseThrow();
            Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    ConsumerMain.class.getName(), kafka.bootstrapServers(), "3").redirectErrorStream(true).start();
            List<String> handled = new CopyOnWriteArrayList<>();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("HANDLED ")) {
                        handled.add(line.substring(8).trim());
                        if (line.trim().equals("HANDLED 3")) {
                            break; // the handler of 3 ran; its offset is not committed
                        }
                    }
                }
            } finally {
                child.destroyForcibly(); // SIGKILL
                child.waitFor(30, TimeUnit.SECONDS);
            }
            assertThat(handled).containsExactly("0", "1", "2", "3");

            List<Integer> again = new CopyOnWriteArrayList<>();
            RunningService next = service("f2-next").consume(new Object() {
                @Consume(topic = "f2.numbers", group = "killed")
                public void on(ConsumerMain.Numbered event) {
                    again.add(event.seq());
                }
            }).start();
            try {
                Eventually.within(WAIT).get("3 and 4 are delivered again", () -> List.copyOf(again),
                        a -> a.contains(3) && a.contains(4));
                assertThat(again).contains(3, 4).isSorted();
            } finally {
                next.stop();
            }
        } finally {
            p.stop();
        }
    }

    /** Fails on poison; records the rest in order. */
    public static final class Picky {
        final List<Integer> handled = new CopyOnWriteArrayList<>();

        @Consume(topic = "f3.numbers", group = "picky", maxAttempts = 2, backoff = "10ms")
        public void on(Numbered event) {
            if (event.seq() < 0) {
                throw new IllegalArgumentException("poison");
            }
            handled.add(event.seq());
        }
    }

    /** Reads the dead letters. */
    public static final class Dead {
        final List<Message<Numbered>> letters = new CopyOnWriteArrayList<>();

        @Consume(topic = "f3.numbers.dlq", group = "ops")
        public void on(Message<Numbered> letter) {
            letters.add(letter);
        }
    }

    @Test
    void aPoisonMessageIsDeadLetteredAndLaterMessagesKeepFlowing() {
        Picky picky = new Picky();
        Dead dead = new Dead();
        var b = service("f3").consume(picky, dead);
        Publisher publisher = b.component(Publisher.class);
        RunningService s = b.start();
        try {
            publisher.publish("f3.numbers", "k", new Numbered(1));
            publisher.publish("f3.numbers", "k", new Numbered(-1));
            publisher.publish("f3.numbers", "k", new Numbered(2));
            Eventually.within(WAIT).until("1 and 2 are handled", () -> picky.handled.size() == 2);
            assertThat(picky.handled).containsExactly(1, 2);
            Eventually.within(WAIT).until("the poison is a dead letter", () -> dead.letters.size() == 1);
            assertThat(dead.letters.get(0).data()).isEqualTo(new Numbered(-1));
            assertThat(dead.letters.get(0).header("chassis-dlq-attempts")).contains("2");
            assertThat(dead.letters.get(0).header("chassis-dlq-error")).hasValueSatisfying(e ->
                    assertThat(e).contains("IllegalArgumentException: poison"));
        } finally {
            s.stop();
        }
    }
}
