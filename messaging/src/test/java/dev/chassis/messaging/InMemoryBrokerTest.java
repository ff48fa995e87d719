package dev.chassis.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;

/** A test sees what services published to the in-memory broker, whether or not anything consumed it. */
class InMemoryBrokerTest {
    @EventType("dev.chassis.test.parcel.sent.v1")
    record ParcelSent(String id, int grams) {
    }

    @Test
    void aTestReadsWhatWasPublished() {
        ServiceBuilder b = Chassis.service("parcels").property("server.port", "0")
                .property("messaging.memory.name", "inspected");
        Publisher publisher = b.component(Publisher.class);
        RunningService s = b.start();
        try {
            publisher.publish("parcels.sent", "p-1", new ParcelSent("p-1", 250));
            publisher.publish("parcels.sent", "p-2", new ParcelSent("p-2", 900));
            InMemoryBroker broker = InMemoryBroker.named("inspected");
            assertThat(broker.events("parcels.sent", ParcelSent.class)).containsExactlyInAnyOrder(
                    new ParcelSent("p-1", 250), new ParcelSent("p-2", 900));
            assertThat(broker.records("parcels.sent")).allSatisfy(r -> {
                assertThat(r.header("ce_type")).isEqualTo("dev.chassis.test.parcel.sent.v1");
                assertThat(r.header("ce_source")).isEqualTo("/parcels");
                assertThat(r.value()).startsWith("{\"id\":\"p-");
            });
            assertThat(broker.records("nothing.here")).isEmpty();
        } finally {
            s.stop();
        }
        assertThatThrownBy(() -> InMemoryBroker.named("never-started")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("messaging.memory.name=never-started");
    }
}
