package dev.chassis.messaging.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;

/**
 * A Kafka outage with each readiness choice in effect: reported only by default (readiness stays UP, the broker is
 * DOWN in the body), or taking readiness DOWN when health.dependencies.messaging.affects-readiness is true.
 */
class KafkaReadinessTest {
    private static RunningService start(String name, String affects) {
        var b = Chassis.service(name).property("server.port", "0").property("server.shutdown.delay", "0s")
                .property("messaging.broker", "kafka").property("messaging.kafka.bootstrap-servers", "127.0.0.1:1")
                .property("messaging.publish-timeout", "1s");
        if (affects != null) {
            b.property("health.dependencies.messaging.affects-readiness", affects);
        }
        return b.start();
    }

    private static JsonNode messaging(TestResponse ready) {
        for (JsonNode check : ready.json().get("checks")) {
            if (check.get("name").asText().equals("messaging")) {
                return check;
            }
        }
        throw new AssertionError("no messaging check in " + ready.body());
    }

    @Test
    void byDefaultAnUnreachableBrokerIsReportedDownAndReadinessStaysUp() {
        RunningService s = start("kafka-reported", null);
        try {
            TestClient client = new TestClient(s.uri());
            TestResponse ready = client.get("/health/ready");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(messaging(ready).get("status").asText()).isEqualTo("DOWN");
            assertThat(messaging(ready).get("data").get("affects-readiness").asBoolean(true)).isFalse();
        } finally {
            s.stop();
        }
    }

    @Test
    void setToAffectReadinessAnUnreachableBrokerTakesReadinessDown() {
        RunningService s = start("kafka-affects", "true");
        try {
            TestClient client = new TestClient(s.uri());
            Eventually.within(Duration.ofSeconds(30)).until("readiness is DOWN",
                    () -> client.get("/health/ready").status() == 503);
            assertThat(messaging(client.get("/health/ready")).get("status").asText()).isEqualTo("DOWN");
            assertThat(client.get("/health/live").status()).isEqualTo(200);
        } finally {
            s.stop();
        }
    }
}
