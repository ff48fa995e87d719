package dev.chassis.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.TestClient;

/**
 * The console's service map draws events as edges: "parcels" sends to a topic that "courier" processes (one in-memory
 * broker, two services), and the map of parcels — which asks courier, a configured peer — has the edge between them.
 */
class ConsoleMapTest {
    @EventType("dev.chassis.test.parcel.mapped.v1")
    record ParcelMapped(String id) {
    }

    public static final class Courier {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Consume(topic = "parcels.mapped", group = "courier")
        public void on(ParcelMapped event) {
            seen.add(event.id());
        }
    }

    @Test
    void aTopicOneServiceSendsToAndAnotherProcessesIsAnEdge() {
        Courier handler = new Courier();
        RunningService courier = Chassis.service("courier").property("server.port", "0")
                .property("messaging.memory.name", "mapped").consume(handler).start();
        try {
            ServiceBuilder b = Chassis.service("parcels").property("server.port", "0")
                    .property("messaging.memory.name", "mapped")
                    .property("observability.console.peers", "courier")
                    .property("clients.courier.url", courier.uri().toString());
            Publisher publisher = b.component(Publisher.class);
            RunningService parcels = b.start();
            try {
                publisher.publish("parcels.mapped", "p-1", new ParcelMapped("p-1"));
                publisher.publish("parcels.mapped", "p-2", new ParcelMapped("p-2"));
                Eventually.within(Duration.ofSeconds(10)).until("both parcels processed", () -> handler.seen.size() == 2);
                // waited for too: the edge counts messaging.process.duration, recorded after the handler returned
                Eventually.within(Duration.ofSeconds(10)).untilAsserted(() -> {
                    JsonNode map = new TestClient(parcels.uri()).get("/console/api/map").json();
                    assertThat(map.get("services")).extracting(JsonNode::asText).containsExactly("parcels", "courier");
                    assertThat(map.get("edges")).singleElement().satisfies(e -> {
                        assertThat(e.get("from").asText()).isEqualTo("parcels");
                        assertThat(e.get("to").asText()).isEqualTo("courier");
                        assertThat(e.get("protocol").asText()).isEqualTo("messaging");
                        assertThat(e.get("via").asText()).isEqualTo("parcels.mapped");
                        assertThat(e.get("calls").asLong()).isEqualTo(2);
                        assertThat(e.get("errors").asLong()).isZero();
                    });
                });
                JsonNode edges = new TestClient(courier.uri()).get("/console/api/edges").json();
                assertThat(edges.get("processes")).singleElement()
                        .satisfies(t -> assertThat(t.get("name").asText()).isEqualTo("parcels.mapped"));
            } finally {
                parcels.stop();
            }
        } finally {
            courier.stop();
        }
    }
}
