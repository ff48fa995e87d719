package dev.chassis.messaging.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.config.ConfigException;
import dev.chassis.messaging.Consume;
import dev.chassis.messaging.DeadLetters;
import dev.chassis.messaging.InMemoryBroker;
import dev.chassis.messaging.Publisher;
import dev.chassis.messaging.spi.BrokerRecord;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.StartFailure;

/** Failures that must not make a consumer spin: an unpublishable dead letter, a handler that does not return. */
class ConsumerFailuresTest {
    public record Parcel(String id) {
    }

    public static final class Refuser {
        final AtomicInteger calls = new AtomicInteger();

        @Consume(topic = "parcels.refused", group = "refuser")
        public void on(Parcel parcel) {
            calls.incrementAndGet();
            throw new IllegalStateException("never");
        }
    }

    @Test
    void aDeadLetterThatCannotBePublishedIsTriedAgainWithBackOffWithoutHandlingTheRecordAgain() {
        Refuser refuser = new Refuser();
        ServiceBuilder b = Chassis.service("refusing").property("server.port", "0")
                .property("messaging.broker", "flaky-dlq").property("messaging.memory.name", "flaky-dlq")
                .property("consumers.refuser.on.max-attempts", "2").property("consumers.refuser.on.backoff", "1ms")
                .property("consumers.refuser.on.max-backoff", "20ms").consume(refuser);
        Publisher publisher = b.component(Publisher.class);
        RunningService s = b.start();
        try {
            publisher.publish("parcels.refused", "p-1", new Parcel("p-1"));
            InMemoryBroker broker = InMemoryBroker.named("flaky-dlq");
            Eventually.within(Duration.ofSeconds(30)).until("the dead letter is published at its fourth try",
                    () -> broker.records("parcels.refused.dlq").size() == 1);
            assertThat(FlakyDlqBrokerProvider.FAILED.get("flaky-dlq")).hasValue(FlakyDlqBrokerProvider.FAILURES);
            assertThat(refuser.calls).as("handled max-attempts times, not again for each failed dead letter").hasValue(2);
            assertThat(broker.records("parcels.refused.dlq").get(0).header("chassis-dlq-attempts")).isEqualTo("2");
        } finally {
            s.stop();
        }
    }

    /**
     * A dead letter the broker refuses for good (larger than it takes, with the dead-letter headers) goes without the
     * record's value and headers, naming where the record is: it was tried again for ever, and its partition stopped.
     */
    @Test
    void aDeadLetterTheBrokerRefusesForGoodGoesWithoutTheRecordsValue() {
        Refuser refuser = new Refuser();
        ServiceBuilder b = Chassis.service("refusing").property("server.port", "0")
                .property("messaging.broker", "flaky-dlq").property("messaging.memory.name", "big-oversized")
                .property("consumers.refuser.on.max-attempts", "1").consume(refuser);
        Publisher publisher = b.component(Publisher.class);
        DeadLetters deadLetters = b.component(DeadLetters.class);
        RunningService s = b.start();
        try {
            publisher.publish("parcels.refused", "p-1", new Parcel("p-1"));
            publisher.publish("parcels.refused", "p-2", new Parcel("p-2"));
            InMemoryBroker broker = InMemoryBroker.named("big-oversized");
            Eventually.within(Duration.ofSeconds(30)).until("both letters published, the partition moving on",
                    () -> broker.records("parcels.refused.dlq").size() == 2);
            var letter = broker.records("parcels.refused.dlq").get(0);
            assertThat(letter.value()).isEmpty();
            assertThat(letter.header("chassis-dlq-value-dropped")).isEqualTo("TooLarge");
            assertThat(letter.header("chassis-dlq-topic")).isEqualTo("parcels.refused");
            assertThat(letter.header("chassis-dlq-offset")).isNotNull();
            assertThat(letter.header("ce_id")).as("the record's own headers stay out too").isNull();
            assertThat(refuser.calls).hasValue(2);
            assertThat(deadLetters.replay("parcels.refused")).as("a letter without its value is not replayed").isZero();
            assertThat(broker.records("parcels.refused")).hasSize(2);
        } finally {
            s.stop();
        }
    }

    /**
     * With messaging.replay.key, only letters this service signed are replayed: every consumer of a topic may write its
     * .dlq, and a forged letter naming this service's group was published back, signed, into the topic.
     */
    @Test
    void aForgedDeadLetterIsNotReplayed() throws Exception {
        Refuser refuser = new Refuser();
        ServiceBuilder b = Chassis.service("refusing").property("server.port", "0")
                .property("messaging.memory.name", "forged-letters")
                .property("messaging.replay.key", "0123456789abcdef0123456789abcdef")
                .property("consumers.refuser.on.max-attempts", "1").consume(refuser);
        Publisher publisher = b.component(Publisher.class);
        DeadLetters deadLetters = b.component(DeadLetters.class);
        RunningService s = b.start();
        try {
            publisher.publish("parcels.refused", "p-1", new Parcel("p-1"));
            InMemoryBroker broker = InMemoryBroker.named("forged-letters");
            Eventually.within(Duration.ofSeconds(30)).until("the genuine letter",
                    () -> broker.records("parcels.refused.dlq").size() == 1);
            // another consumer of the topic writes a letter of its own, naming this service's group
            MemoryBroker.named("forged-letters", 1, 1000).send(new BrokerRecord("parcels.refused.dlq", "p-x",
                    Map.of("chassis-dlq-group", List.of("refuser"), "ce_chassissubject", List.of("admin")),
                    "{\"id\":\"forged\"}".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
            assertThat(deadLetters.replay("parcels.refused")).as("the genuine letter only").isEqualTo(1);
            assertThat(broker.records("parcels.refused")).extracting(r -> r.key()).containsExactly("p-1", "p-1");
        } finally {
            s.stop();
        }
    }

    public static final class Stuck {
        final List<String> interrupted = new CopyOnWriteArrayList<>();
        final List<String> handled = new CopyOnWriteArrayList<>();

        @Consume(topic = "parcels.weighed", group = "stuck")
        public void on(Parcel parcel) {
            if (parcel.id().equals("quick")) {
                handled.add(parcel.id());
                return;
            }
            try {
                new CountDownLatch(1).await(); // never counted down: only an interrupt ends it
            } catch (InterruptedException e) {
                interrupted.add(parcel.id());
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void aHandlerOverItsTimeoutIsInterruptedAndItsMessageTriedAgainThenDeadLettered() {
        Stuck stuck = new Stuck();
        ServiceBuilder b = Chassis.service("stuck").property("server.port", "0")
                .property("messaging.memory.name", "timeouts").property("consumers.stuck.on.timeout", "200ms")
                .property("consumers.stuck.on.max-attempts", "2").property("consumers.stuck.on.backoff", "1ms")
                .consume(stuck);
        Publisher publisher = b.component(Publisher.class);
        RunningService s = b.start();
        try {
            publisher.publish("parcels.weighed", "k", new Parcel("slow"));
            publisher.publish("parcels.weighed", "k", new Parcel("quick"));
            InMemoryBroker broker = InMemoryBroker.named("timeouts");
            Eventually.within(Duration.ofSeconds(30)).until("the slow one is dead-lettered and the quick one handled",
                    () -> broker.records("parcels.weighed.dlq").size() == 1 && stuck.handled.size() == 1);
            // the dispatcher interrupts a late handler's thread and goes on without waiting for it to record that
            Eventually.within(Duration.ofSeconds(30)).until("both attempts interrupted", () -> stuck.interrupted.size() >= 2);
            assertThat(stuck.interrupted).containsExactly("slow", "slow");
            assertThat(broker.records("parcels.weighed.dlq").get(0).header("chassis-dlq-error"))
                    .contains("did not finish within PT0.2S (consumers.stuck.on.timeout); it was interrupted");
            assertThat(stuck.handled).containsExactly("quick");
        } finally {
            s.stop();
        }
    }

    @Test
    void aTimeoutOfZeroFailsBeforeThePortIsBound() {
        RuntimeException e = StartFailure.of(Chassis.service("stuck").property("consumers.stuck.on.timeout", "0ms")
                .consume(new Stuck()));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("consumers.stuck.on.timeout")
                .hasMessageContaining("at least 1ms");
    }
}
