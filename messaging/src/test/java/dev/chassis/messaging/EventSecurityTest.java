package dev.chassis.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Caller;
import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.internal.shared.CurrentCaller;
import dev.chassis.messaging.spi.BrokerRecord;
import dev.chassis.messaging.spi.EventSender;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.StartFailure;

/**
 * Who events act for, where they may come from, and the replay marker no producer can forge — on the in-memory
 * broker. The publishing request's verified caller is bound as the server side of {@code chassis-security} binds it
 * ({@link CurrentCaller}); here the test binds it.
 */
class EventSecurityTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @EventType("dev.chassis.test.parcel.sent.v1")
    public record ParcelSent(String id) {
    }

    /** Records each event with the caller it ran for. */
    public static final class Courier {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Consume(topic = "parcels.sent", group = "courier")
        public void on(ParcelSent event) {
            Caller c = Caller.current();
            seen.add(event.id() + " " + (c.authenticated() ? c.subject().orElseThrow() + "@" + c.issuer().orElseThrow()
                    : "anonymous"));
        }
    }

    /** A second group of the same topic. */
    public static final class Audit {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Consume(topic = "parcels.sent", group = "audit")
        public void on(ParcelSent event) {
            seen.add(event.id());
        }
    }

    private static <T> T asAlice(Callable<T> work) throws Exception {
        return CurrentCaller.call(Caller.authenticated("alice", "https://issuer.example").build(), "token", work);
    }

    @Test
    void theActingSubjectIsRecordedWhenEnabledAndTheConsumerSeesItAsTheCaller() throws Exception {
        Courier courier = new Courier();
        ServiceBuilder b = Chassis.service("parcels").property("server.port", "0")
                .property("messaging.memory.name", "actors").property("messaging.publish.record-subject", "true")
                .consume(courier);
        Publisher publisher = b.component(Publisher.class);
        RunningService s = b.start();
        try {
            asAlice(() -> publisher.publish("parcels.sent", "p-1", new ParcelSent("p-1")));
            publisher.publish("parcels.sent", "p-2", new ParcelSent("p-2")); // nobody authenticated
            Eventually.within(WAIT).until("both handled", () -> courier.seen.size() == 2);
            assertThat(courier.seen).containsExactlyInAnyOrder( // two keys: two partitions, no order between them
                    "p-1 alice@https://issuer.example", "p-2 anonymous");
            InMemoryBroker.Record first = InMemoryBroker.named("actors").records("parcels.sent").get(0);
            assertThat(first.header("ce_chassissubject")).isEqualTo("alice");
            assertThat(first.header("ce_chassisissuer")).isEqualTo("https://issuer.example");
            assertThat(first.headers().toString()).as("the token is never published").doesNotContain("token");
        } finally {
            s.stop();
        }
    }

    @Test
    void theSubjectIsNotRecordedByDefault() throws Exception {
        Courier courier = new Courier();
        ServiceBuilder b = Chassis.service("parcels").property("server.port", "0")
                .property("messaging.memory.name", "no-actors").consume(courier);
        Publisher publisher = b.component(Publisher.class);
        RunningService s = b.start();
        try {
            asAlice(() -> publisher.publish("parcels.sent", "p-1", new ParcelSent("p-1")));
            Eventually.within(WAIT).until("handled", () -> courier.seen.size() == 1);
            assertThat(courier.seen).containsExactly("p-1 anonymous");
            assertThat(InMemoryBroker.named("no-actors").records("parcels.sent").get(0).header("ce_chassissubject"))
                    .isNull();
        } finally {
            s.stop();
        }
    }

    @Test
    void anEventFromASourceNotAllowedGoesToTheDeadLettersNeverToTheHandler() {
        Courier courier = new Courier();
        ServiceBuilder b = Chassis.service("parcels").property("server.port", "0")
                .property("messaging.memory.name", "sources")
                .property("consumers.courier.on.allowed-sources", "/shipping, /returns").consume(courier);
        Publisher publisher = b.component(Publisher.class);
        EventSender sender = b.component(EventSender.class);
        RunningService s = b.start();
        try {
            publisher.publish("parcels.sent", "p-1", new ParcelSent("p-1")); // source /parcels
            BrokerRecord shipped = sender.record("parcels.sent", "p-2", new ParcelSent("p-2"));
            Map<String, List<String>> headers = new LinkedHashMap<>(shipped.headers());
            headers.put("ce_source", List.of("/shipping"));
            sender.send(new BrokerRecord("parcels.sent", "p-2", headers, shipped.value())).join();
            InMemoryBroker broker = InMemoryBroker.named("sources");
            Eventually.within(WAIT).until("one refused, one handled",
                    () -> broker.records("parcels.sent.dlq").size() == 1 && courier.seen.size() == 1);
            assertThat(courier.seen).containsExactly("p-2 anonymous");
            InMemoryBroker.Record refused = broker.records("parcels.sent.dlq").get(0);
            assertThat(refused.key()).isEqualTo("p-1");
            assertThat(refused.header("chassis-dlq-error"))
                    .isEqualTo("refused: the source /parcels is not one of consumers.courier.on.allowed-sources");
            assertThat(refused.header("chassis-dlq-attempts")).isEqualTo("0");
        } finally {
            s.stop();
        }
    }

    @Test
    void aForgedReplayMarkerMakesNoGroupSkipTheEvent() {
        Courier courier = new Courier();
        Audit audit = new Audit();
        ServiceBuilder b = Chassis.service("parcels").property("server.port", "0")
                .property("messaging.memory.name", "forged").consume(courier, audit);
        EventSender sender = b.component(EventSender.class);
        RunningService s = b.start();
        try {
            for (String signature : new String[] {null, "AAAA", "forged-signature"}) {
                BrokerRecord r = sender.record("parcels.sent", "p", new ParcelSent("p " + signature));
                Map<String, List<String>> headers = new LinkedHashMap<>(r.headers());
                headers.put("chassis-replay-group", List.of("courier")); // "only courier handles it": audit would skip
                if (signature != null) {
                    headers.put("chassis-replay-signature", List.of(signature));
                }
                sender.send(new BrokerRecord("parcels.sent", "p", headers, r.value())).join();
            }
            Eventually.within(WAIT).until("both groups handled all three",
                    () -> courier.seen.size() == 3 && audit.seen.size() == 3);
        } finally {
            s.stop();
        }
    }

    @Test
    void aShortReplayKeyStopsStartUp() {
        RuntimeException e = StartFailure.of(Chassis.service("parcels").property("messaging.memory.name", "short")
                .property("messaging.replay.key", "too-short").consume(new Courier()));
        assertThat(e).isInstanceOf(ConfigException.class)
                .hasMessageContaining("messaging.replay.key has 9 characters; at least 32").hasMessageNotContaining("too-short");
    }
}
