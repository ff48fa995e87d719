package dev.chassis.messaging.kafka;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import dev.chassis.testing.Eventually;

/**
 * A real Kafka broker (KRaft, broker and controller in one) in a separate JVM, started with Kafka's own
 * launcher ({@code kafka.Kafka}) on fixed ports and a data directory that survives it, so a test can SIGKILL
 * it and start it again. Its client listener is PLAINTEXT, or SSL with the server properties a test gives.
 */
final class KafkaProcess {
    private final Path dir;
    private final Path config;
    private final int port;
    private final Map<String, Object> client;
    private Process process;

    KafkaProcess() throws IOException, InterruptedException {
        this("PLAINTEXT", List.of(), Map.of());
    }

    /**
     * A broker whose client (and inter-broker) listener speaks {@code protocol}, with {@code serverProperties}
     * added to its configuration; {@code client} is what a client needs to reach it (to wait until it answers).
     */
    KafkaProcess(String protocol, List<String> serverProperties, Map<String, Object> client)
            throws IOException, InterruptedException {
        this.client = client;
        this.dir = Files.createTempDirectory("chassis-kafka-");
        this.port = freePort();
        int controller = freePort();
        this.config = dir.resolve("server.properties");
        List<String> lines = new ArrayList<>(List.of(
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controller,
                "listeners=" + protocol + "://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=" + protocol + "://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=" + protocol + ":" + protocol + ",CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=" + protocol,
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=4",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true"));
        lines.addAll(serverProperties);
        lines.add("");
        Files.writeString(config, String.join("\n", lines));
        int formatted = java("kafka.tools.StorageTool", "format", "-t",
                Uuid.randomUuid().toString(), "-c", config.toString()).waitFor();
        if (formatted != 0) {
            throw new IllegalStateException("formatting the Kafka storage failed (exit " + formatted + ")");
        }
        start();
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Starts the broker and waits until it answers. */
    void start() throws IOException, InterruptedException {
        process = java("kafka.Kafka", config.toString());
        Map<String, Object> admin0 = new HashMap<>(client);
        admin0.putAll(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000));
        try (Admin admin = Admin.create(admin0)) {
            Path log = dir.resolve("broker.log");
            Eventually.within(Duration.ofSeconds(60)).until("the Kafka broker answers (see " + log + ")", () -> {
                try {
                    return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
                } catch (Exception notYet) {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("the Kafka broker exited with " + process.exitValue()
                                + "; see " + log);
                    }
                    return false;
                }
            });
        }
    }

    /** Starts the broker again if it is not running. */
    void ensureRunning() throws IOException, InterruptedException {
        if (process == null || !process.isAlive()) {
            start();
        }
    }

    /** SIGKILL: no shutdown, no flush. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    private Process java(String main, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-cp",
                System.getProperty("java.class.path"), main));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile())).start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Stops the broker and deletes its data. */
    void close() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
