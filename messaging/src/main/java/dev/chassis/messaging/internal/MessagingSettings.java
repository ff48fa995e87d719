package dev.chassis.messaging.internal;

import java.time.Duration;
import java.util.List;

import dev.chassis.core.config.Setting;
import dev.chassis.messaging.spi.BrokerProvider;

/** The configuration keys of {@code chassis-messaging}. Not API. */
final class MessagingSettings {
    static final String CONSUMERS = "consumers.*.*.";

    static final Setting<String> BROKER = Setting.string("messaging.broker", "memory")
            .describedAs("memory (embedded, the default) or kafka (with chassis-messaging-kafka)");
    static final Setting<Duration> PUBLISH_TIMEOUT = BrokerProvider.PUBLISH_TIMEOUT;
    static final Setting<Duration> SHUTDOWN_TIMEOUT = Setting.duration("messaging.shutdown-timeout", Duration.ofSeconds(10))
            .describedAs("how long shutdown waits for handlers to finish the messages they hold (counted in"
                    + " server.shutdown.grace-period when the service consumes)");
    static final Setting<Boolean> ALLOW_MEMORY = Setting.bool("production.allow.in-memory-broker", false)
            .describedAs("in production mode, allow the in-memory broker (each process gets its own: nothing it"
                    + " publishes reaches another)");
    static final Setting<String> MEMORY_NAME = Setting.string("messaging.memory.name", "default")
            .describedAs("services of one JVM that name the same in-memory broker share it");
    static final Setting<Integer> MEMORY_PARTITIONS = Setting.integer("messaging.memory.partitions", 4).range(1, 256)
            .describedAs("partitions per topic of the in-memory broker (set by the first service that uses it)");
    static final Setting<Integer> MEMORY_RETENTION = Setting.integer("messaging.memory.retention", 100_000)
            .range(1, 10_000_000).describedAs("records kept per partition of the in-memory broker");

    static final Setting<Boolean> RECORD_SUBJECT = Setting.bool("messaging.publish.record-subject", false)
            .describedAs("record the authenticated caller's subject and issuer on published events (CloudEvents"
                    + " extensions chassissubject, chassisissuer); @Consume handlers see them as Caller.current()");
    static final Setting<String> REPLAY_KEY = Setting.string("messaging.replay.key", null).secret()
            .describedAs("the HMAC-SHA256 key that signs replayed dead letters (at least 32 characters, the same in every"
                    + " service of the topics); unset: a random key per process, so other processes handle a replayed"
                    + " letter again; never shown");

    static Setting<Integer> maxAttempts(String key) {
        return Setting.integer("consumers." + key + ".max-attempts", 3).range(1, 100)
                .describedAs("attempts before a message goes to the dead letters; else @Consume(maxAttempts)");
    }

    static Setting<Duration> backoff(String key) {
        return Setting.duration("consumers." + key + ".backoff", Duration.ofMillis(200))
                .describedAs("the first wait between attempts, doubled each time; else @Consume(backoff)");
    }

    static Setting<Duration> maxBackoff(String key) {
        return Setting.duration("consumers." + key + ".max-backoff", Duration.ofSeconds(10))
                .describedAs("the longest wait between attempts");
    }

    static Setting<Integer> concurrency(String key) {
        return Setting.integer("consumers." + key + ".concurrency", 1024).range(1, 1024)
                .describedAs("partitions handled at once, each in order (at most the topic's); else @Consume(concurrency)");
    }

    static Setting<List<String>> allowedSources(String key) {
        return Setting.list("consumers." + key + ".allowed-sources", List.of())
                .describedAs("the ce_source values the handler accepts (empty: any); another source's event goes to the"
                        + " dead letters, never to the handler");
    }

    static Setting<Duration> timeout(String key) {
        return Setting.duration("consumers." + key + ".timeout", null).min(1)
                .describedAs("how long one attempt to handle a message may take (unset: no limit); a handler still running"
                        + " is interrupted and the attempt counts as failed (tried again, then dead-lettered)");
    }

    private MessagingSettings() {
    }

    static List<Setting<?>> all() {
        return List.of(BROKER, PUBLISH_TIMEOUT, SHUTDOWN_TIMEOUT, ALLOW_MEMORY, MEMORY_NAME, MEMORY_PARTITIONS, MEMORY_RETENTION,
                RECORD_SUBJECT, REPLAY_KEY, maxAttempts("*.*"), backoff("*.*"), maxBackoff("*.*"), concurrency("*.*"),
                allowedSources("*.*"), timeout("*.*"));
    }
}
