package dev.chassis.messaging.kafka;

import java.util.Map;

import dev.chassis.messaging.BrokerContract;

/** The broker contract over a real Kafka broker (KRaft, in this JVM). */
class KafkaBrokerContractTest extends BrokerContract {
    @Override
    protected Map<String, String> brokerProperties() {
        return Map.of("messaging.broker", "kafka", "messaging.kafka.bootstrap-servers", EmbeddedKafka.bootstrapServers(),
                "messaging.kafka.linger", "1ms");
    }
}
