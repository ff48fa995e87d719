package dev.chassis.messaging.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

import dev.chassis.core.ServiceInfo;
import dev.chassis.core.internal.config.LayeredConfig;
import dev.chassis.messaging.kafka.EmbeddedKafka;
import dev.chassis.messaging.spi.BrokerRecord;
import dev.chassis.messaging.spi.Subscription;
import dev.chassis.testing.Eventually;

/** Against the in-test Kafka broker: a consumer's buffer is bounded in bytes, and refusals are told from outages. */
class ConsumerMemoryTest {
    private static KafkaBroker broker(String... settings) {
        Map<String, String> values = new HashMap<>(Map.of("messaging.kafka.bootstrap-servers",
                EmbeddedKafka.bootstrapServers(), "messaging.kafka.linger", "1ms"));
        for (int i = 0; i < settings.length; i += 2) {
            values.put(settings[i], settings[i + 1]);
        }
        LayeredConfig config = new LayeredConfig(List.of(new LayeredConfig.Source("test", values)), Map.of(), List.of(),
                null);
        return new KafkaBroker(new ServiceInfo("memory-test", "1", "i-1", Instant.now(), List.of("http")), config, null);
    }

    @Test
    void recordsPolledAndNotHandledStayWithinTheConsumerBufferPlusOneFetch() throws Exception {
        buffered(Map.of(), new byte[8 * 1024]);
    }

    /** The same with the 8 KiB in a header: headers once counted for nothing (399 records of 100 KiB, 3.5 KB "held"). */
    @Test
    void headersCountAgainstTheConsumerBufferToo() throws Exception {
        buffered(Map.of("x-large", List.of("h".repeat(8 * 1024))), new byte[0]);
    }

    private static void buffered(Map<String, List<String>> headers, byte[] value) throws Exception {
        String topic = "parcels.buffered." + System.nanoTime();
        try (KafkaBroker broker = broker("messaging.kafka.consumer-buffer", "64KiB",
                "messaging.kafka.max-partition-fetch-bytes", "32KiB", "messaging.kafka.fetch-max-bytes", "32KiB")) {
            for (int i = 0; i < 200; i++) {
                broker.send(new BrokerRecord(topic, "k", headers, value)).get(30, TimeUnit.SECONDS);
            }
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch first = new CountDownLatch(1);
            Subscription s = broker.subscribe(topic, "buffered", 1, d -> {
                first.countDown();
                release.await(); // the handler holds the first record: everything else polled stays buffered
            });
            KafkaSubscription subscription = (KafkaSubscription) s;
            try {
                assertThat(first.await(60, TimeUnit.SECONDS)).isTrue();
                Eventually.within(Duration.ofSeconds(30)).until("the consumer has buffered up to its bound",
                        () -> subscription.bufferedBytes() >= 64 * 1024);
                assertThat(subscription.bufferedBytes()).as("200 records of 8 KiB were waiting; at most the buffer and one fetch are held")
                        .isLessThanOrEqualTo(64 * 1024 + 32 * 1024 + 8 * 1024 + 64);
            } finally {
                release.countDown();
                s.stop(Duration.ofSeconds(10));
            }
        }
    }

    @Test
    void aRecordTheBrokerRefusesIsNotRetriableAndATimeoutIs() throws Exception {
        try (KafkaBroker broker = broker()) {
            Throwable refused = null;
            try {
                broker.send(new BrokerRecord("parcels.large", "k", Map.of(), new byte[2 << 20])).get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                refused = e.getCause();
            }
            assertThat(refused).isInstanceOf(RecordTooLargeException.class);
            assertThat(broker.retriable(refused)).isFalse();
            assertThat(broker.retriable(new TimeoutException("no leader"))).isTrue();
            assertThat(broker.retriable(new IllegalStateException("unknown"))).as("unknown: never park").isTrue();
            // a dead letter is sent without the record only when its size is what the broker refused
            assertThat(broker.tooLarge(refused)).isTrue();
            assertThat(broker.tooLarge(new ExecutionException(refused))).isTrue();
            assertThat(broker.tooLarge(new org.apache.kafka.common.errors.TopicAuthorizationException("no"))) // CHECKSTYLE:FQN-OK
                    .isFalse();
        }
    }

    @Test
    void aConsumerBufferBelowOneKibibyteIsRefusedWithTheKey() {
        assertThat(catchThrowable(() -> broker("messaging.kafka.consumer-buffer", "10")))
                .hasMessageContaining("messaging.kafka.consumer-buffer");
    }
}
