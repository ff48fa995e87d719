package dev.chassis.messaging.spi;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A message broker binding: the in-memory broker, Kafka. Chassis' messaging module does the rest (envelope,
 * tracing, retries, dead letters) identically over every binding.
 */
public interface Broker extends AutoCloseable {
    /** The {@code messaging.system} of spans and metrics ({@code kafka}, {@code chassis-memory}). */
    String system();

    /**
     * Stores a record; the future completes once the broker acknowledged it, and fails when it refused it or
     * did not acknowledge within {@code messaging.publish-timeout}.
     */
    CompletableFuture<Acknowledged> send(BrokerRecord record);

    /**
     * Starts consuming {@code topic} as a member of {@code group}: records of one partition are handed to
     * {@code handler} in order; at most {@code concurrency} partitions are handled at once.
     */
    Subscription subscribe(String topic, String group, int concurrency, PartitionHandler handler);

    /**
     * Hands {@code action} every record of {@code topic} that {@code group} has not yet consumed, up to the end
     * the topic had when called, committing as it goes; returns how many. For replaying dead letters.
     */
    int drain(String topic, String group, Consumer<Delivered> action);

    /** Records of {@code topic} not yet consumed by {@code group}, per partition (consumer lag). */
    Map<Integer, Long> lag(String topic, String group);

    /**
     * Whether a failed {@link #send} may succeed when the same record is sent again later (the broker or a partition
     * leader is away, the acknowledgement timed out), rather than the broker refusing this very record (too large, a
     * topic not authorised). The JDBC outbox parks a row only after refusals. The default, {@code true}, never parks.
     */
    default boolean retriable(Throwable failure) {
        return true;
    }

    /**
     * Whether a failed {@link #send} refused the record for its size (Kafka: larger than the producer or the topic
     * takes): a dead letter so refused is sent again without the record's value and headers. The default,
     * {@code false}, never drops them.
     */
    default boolean tooLarge(Throwable failure) {
        return false;
    }

    /** Whether the broker can be reached now (readiness). */
    boolean healthy();

    /**
     * Why the broker could not be reached at the last {@link #healthy()} check, when the binding knows more than
     * "cannot be reached" (a TLS handshake refused, naming the bundle and the broker); null otherwise. Shown as the
     * reason of the readiness check.
     */
    default String unhealthyReason() {
        return null;
    }

    /** Releases connections and threads; subscriptions are stopped first by the caller. */
    @Override
    void close();
}
