package dev.chassis.messaging.jdbc.internal;

import java.time.Duration;
import java.util.List;

import dev.chassis.core.config.Config;
import dev.chassis.core.config.Setting;
import dev.chassis.messaging.spi.BrokerProvider;

/** The {@code outbox.*}, {@code inbox.*} and {@code idempotency.*} keys. Not API. */
final class JdbcSettings {
    static final Setting<Boolean> RELAY = Setting.bool("outbox.relay", true)
            .describedAs("whether this instance runs an outbox relay");
    static final Setting<Duration> POLL = Setting.duration("outbox.poll-interval", Duration.ofMillis(100)).min(10)
            .describedAs("how often an idle relay looks for events written by other instances");
    static final Setting<Integer> BATCH = Setting.integer("outbox.batch-size", 100).range(1, 10_000)
            .describedAs("the most events a relay publishes per transaction");
    static final Setting<Integer> MAX_ATTEMPTS = Setting.integer("outbox.max-attempts", 10).range(1, 1_000_000)
            .describedAs("after this many attempts the broker refused (not merely could not take), an event is parked:"
                    + " kept with parked_at set, no longer tried, counted in chassis_outbox_parked until replayed");
    static final Setting<Duration> OUTBOX_RETENTION = Setting.duration("outbox.retention", Duration.ofHours(1)).min(0)
            .describedAs("how long sent events stay in the outbox table");
    static final Setting<Duration> CLEANUP = Setting.duration("outbox.cleanup-interval", Duration.ofMinutes(1)).min(100)
            .describedAs("how often old outbox rows, inbox ids and Idempotency-Key answers are deleted");
    static final Setting<Duration> INBOX_RETENTION = Setting.duration("inbox.retention", Duration.ofDays(7)).min(1000)
            .describedAs("how long handled event ids are kept; a duplicate older than this is handled again");
    static final Setting<Boolean> IDEMPOTENCY = Setting.bool("idempotency.enabled", true)
            .describedAs("whether POST and PATCH requests with an Idempotency-Key are answered once");
    static final Setting<Duration> LEASE = Setting.duration("idempotency.lease", Duration.ofMinutes(1)).min(1000)
            .describedAs("after this, a request with a key whose first request never finished runs again");
    static final Setting<Duration> WAIT = Setting.duration("idempotency.wait", Duration.ofSeconds(10)).min(0)
            .describedAs("how long a repeated request waits for the first one in progress before 409");
    static final Setting<Duration> IDEMPOTENCY_RETENTION = Setting.duration("idempotency.retention",
            Duration.ofHours(24)).min(1000).describedAs("how long answers to requests with an Idempotency-Key are kept");

    private JdbcSettings() {
    }

    static List<Setting<?>> all() {
        return List.of(RELAY, POLL, BATCH, MAX_ATTEMPTS, OUTBOX_RETENTION, CLEANUP, INBOX_RETENTION, IDEMPOTENCY, LEASE, WAIT,
                IDEMPOTENCY_RETENTION);
    }

    /** The values, read once at start-up. */
    record Values(boolean relay, Duration pollInterval, int batchSize, int maxAttempts, Duration outboxRetention, Duration cleanupInterval,
                  Duration inboxRetention, boolean idempotency, Duration lease, Duration waitForInProgress,
                  Duration idempotencyRetention, Duration publishTimeout) {
        static Values of(Config config) {
            return new Values(config.get(RELAY), config.get(POLL), config.get(BATCH), config.get(MAX_ATTEMPTS),
                    config.get(OUTBOX_RETENTION),
                    config.get(CLEANUP), config.get(INBOX_RETENTION), config.get(IDEMPOTENCY), config.get(LEASE),
                    config.get(WAIT), config.get(IDEMPOTENCY_RETENTION), config.get(BrokerProvider.PUBLISH_TIMEOUT));
        }
    }
}
