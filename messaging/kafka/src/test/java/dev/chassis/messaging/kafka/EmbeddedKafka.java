package dev.chassis.messaging.kafka;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.internals.Exit;

/**
 * A real Kafka cluster (one KRaft controller, one broker) inside the test JVM, from Apache Kafka's own test
 * kit, started on first use and stopped by {@link #stop()}, which {@link StopEmbeddedKafka} calls when the JUnit
 * launcher session ends: before Surefire's fork says goodbye, not in a shutdown hook. Topics are created on first
 * use with 4 partitions.
 *
 * <p>While it runs, a halt or exit that the broker asks for (Kafka's {@code Exit}, for example when a log directory
 * fails) does not end the JVM: it is recorded, printed to standard error, and {@link #stop()} throws it.
 */
public final class EmbeddedKafka {
    private static KafkaClusterTestKit cluster;
    private static IllegalStateException exitRequest;

    private EmbeddedKafka() {
    }

    /** The bootstrap servers of the cluster, started if it is not running; fails if it cannot start. */
    public static synchronized String bootstrapServers() {
        if (cluster == null) {
            Exit.setHaltProcedure((status, message) -> recordExit("halt", status, message));
            Exit.setExitProcedure((status, message) -> recordExit("exit", status, message));
            KafkaClusterTestKit c = null;
            try {
                c = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
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
                cluster = c;
            } catch (Exception e) {
                IllegalStateException failure = new IllegalStateException("the embedded Kafka cluster did not start", e);
                if (c != null) {
                    try {
                        c.close();
                    } catch (Exception closing) {
                        failure.addSuppressed(closing);
                    }
                }
                Exit.resetHaltProcedure();
                Exit.resetExitProcedure();
                throw failure;
            }
        }
        return cluster.bootstrapServers();
    }

    /** Whether the cluster is running (started and not stopped). */
    public static synchronized boolean running() {
        return cluster != null;
    }

    /**
     * Stops the cluster, if it runs, and deletes its directories; the next {@link #bootstrapServers()} starts a new
     * one. Throws if the cluster did not close cleanly or if the broker asked to halt or exit the JVM while it ran.
     */
    public static synchronized void stop() throws Exception {
        if (cluster == null) {
            return;
        }
        KafkaClusterTestKit c = cluster;
        cluster = null;
        try {
            c.close();
        } finally {
            Exit.resetHaltProcedure();
            Exit.resetExitProcedure();
            IllegalStateException request = exitRequest;
            exitRequest = null;
            if (request != null) {
                throw request;
            }
        }
    }

    private static synchronized void recordExit(String kind, int status, String message) {
        IllegalStateException request = new IllegalStateException("the embedded Kafka broker asked to " + kind
                + " the JVM with status " + status + (message == null ? "" : ": " + message));
        // printed at once, with the stack of the Kafka component that asked (Kafka logs nothing here: no SLF4J
        // backend in this JVM); stop() rethrows it so the run fails with its cause
        request.printStackTrace();
        if (exitRequest == null) {
            exitRequest = request;
        } else {
            exitRequest.addSuppressed(request);
        }
    }
}
