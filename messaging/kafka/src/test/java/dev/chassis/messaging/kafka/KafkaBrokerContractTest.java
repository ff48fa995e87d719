package dev.chassis.messaging.kafka;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import dev.chassis.messaging.BrokerContract;

/** The broker contract over a real Kafka broker (KRaft, in this JVM). */
class KafkaBrokerContractTest extends BrokerContract {
    @Override
    protected Map<String, String> brokerProperties() {
        return Map.of("messaging.broker", "kafka", "messaging.kafka.bootstrap-servers", EmbeddedKafka.bootstrapServers(),
                "messaging.kafka.linger", "1ms");
    }

    /** As production does: topics exist, with their partitions, before services use them. */
    @Override
    protected void createTopics(String... topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                EmbeddedKafka.bootstrapServers()))) {
            for (NewTopic t : Arrays.stream(topics).map(name -> new NewTopic(name, 4, (short) 1)).toList()) {
                try {
                    admin.createTopics(List.of(t)).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("creating " + t.name() + " failed", e.getCause());
                    }
                }
            }
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }
}
