package dev.chassis.messaging.kafka;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka cluster (one KRaft controller, one broker) inside the test JVM, from Apache Kafka's own test
 * kit, started once for the JVM. Topics are created on first use with 4 partitions.
 */
public final class EmbeddedKafka {
    private static KafkaClusterTestKit cluster;

    private EmbeddedKafka() {
    }

    public static synchronized String bootstrapServers() {
        if (cluster == null) {
            try {
                KafkaClusterTestKit c = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                        .setNumBrokerNodes(1).setNumControllerNodes(1).setCombined(true).build())
                        .setConfigProp("num.partitions", "4")
                        .setConfigProp("auto.create.topics.enable", "true")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("offsets.topic.num.partitions", "4")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .build();
                c.format();
                c.startup();
                c.waitForReadyBrokers();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        c.close();
                    } catch (Exception ignored) {
                        // the JVM is exiting
                    }
                }));
                cluster = c;
            } catch (Exception e) {
                throw new IllegalStateException("the embedded Kafka cluster did not start", e);
            }
        }
        return cluster.bootstrapServers();
    }
}
