package dev.chassis.messaging.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.Setting;
import dev.chassis.messaging.spi.Acknowledged;
import dev.chassis.messaging.spi.Broker;
import dev.chassis.messaging.spi.BrokerProvider;
import dev.chassis.messaging.spi.BrokerRecord;
import dev.chassis.messaging.spi.Delivered;
import dev.chassis.messaging.spi.PartitionHandler;
import dev.chassis.messaging.spi.Subscription;

/**
 * {@code messaging.broker: flaky-dlq}, for tests: the in-memory broker {@code messaging.memory.name}, except that the
 * first {@link #FAILURES} sends to a {@code .dlq} topic fail, as a broker that is away would; with a name ending in
 * {@code -oversized}, instead, every dead letter that carries a value is refused for good, as Kafka refuses a record
 * larger than it takes.
 */
public final class FlakyDlqBrokerProvider implements BrokerProvider {
    static final int FAILURES = 3;
    /** Failed dead-letter sends, by broker name. */
    static final Map<String, AtomicInteger> FAILED = new ConcurrentHashMap<>();

    /** A refusal of this very record (not retriable). */
    static final class TooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super("the record is larger than the broker takes");
        }
    }

    @Override
    public String name() {
        return "flaky-dlq";
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of();
    }

    @Override
    public Broker create(ServiceInfo service, Config config) {
        String name = config.get(MessagingSettings.MEMORY_NAME);
        Broker memory = MemoryBroker.named(name, 1, 1000);
        AtomicInteger failed = FAILED.computeIfAbsent(name, k -> new AtomicInteger());
        return new Broker() {
            @Override
            public String system() {
                return memory.system();
            }

            @Override
            public CompletableFuture<Acknowledged> send(BrokerRecord record) {
                if (name.endsWith("-oversized")) {
                    if (record.topic().endsWith(".dlq") && record.value().length > 0) {
                        failed.incrementAndGet();
                        return CompletableFuture.failedFuture(new TooLarge());
                    }
                    return memory.send(record);
                }
                if (record.topic().endsWith(".dlq") && failed.get() < FAILURES) {
                    failed.incrementAndGet();
                    return CompletableFuture.failedFuture(new IllegalStateException("the broker is away"));
                }
                return memory.send(record);
            }

            @Override
            public Subscription subscribe(String topic, String group, int concurrency, PartitionHandler handler) {
                return memory.subscribe(topic, group, concurrency, handler);
            }

            @Override
            public int drain(String topic, String group, Consumer<Delivered> action) {
                return memory.drain(topic, group, action);
            }

            @Override
            public Map<Integer, Long> lag(String topic, String group) {
                return memory.lag(topic, group);
            }

            @Override
            public boolean retriable(Throwable failure) {
                return !(failure instanceof TooLarge);
            }

            @Override
            public boolean tooLarge(Throwable failure) {
                return failure instanceof TooLarge;
            }

            @Override
            public boolean healthy() {
                return true;
            }

            @Override
            public void close() {
                memory.close();
            }
        };
    }
}
