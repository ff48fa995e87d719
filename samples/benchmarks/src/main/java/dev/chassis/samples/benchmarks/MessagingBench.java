package dev.chassis.samples.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.chassis.core.Chassis;
import dev.chassis.core.Json;
import dev.chassis.core.RunningService;
import dev.chassis.messaging.Consume;
import dev.chassis.messaging.Published;
import dev.chassis.messaging.Publisher;

/**
 * Chassis messaging vs raw {@code KafkaProducer}/{@code KafkaConsumer} with the same settings (acks=all,
 * idempotence, linger 5 ms, earliest, commit after handling), against one broker, alternately:
 * <ul>
 * <li>throughput: N events published asynchronously as fast as the client takes them, until the last
 * acknowledgement; events per second;</li>
 * <li>end-to-end latency: events published at a steady rate, each carrying its send time, received by a
 * consumer in the same JVM; p50 and p99.</li>
 * </ul>
 * Also the in-memory broker's throughput. Usage: {@code MessagingBench BOOTSTRAP ROUNDS N RATE SECONDS}.
 */
public final class MessagingBench {
    /** The event: the same JSON both ways. */
    public record Tick(long sentNanos, int seq, String payload) {
    }

    private static final String PAYLOAD = "x".repeat(200);

    private MessagingBench() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        int rounds = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        int rate = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        List<Double> tputRatios = new ArrayList<>();
        List<Double> p50Ratios = new ArrayList<>();
        List<Double> p99Ratios = new ArrayList<>();
        warm(bootstrap, n);
        for (int r = 1; r <= rounds; r++) {
            boolean chassisFirst = r % 2 == 0;
            double[] raw = new double[3];
            double[] chassis = new double[3];
            for (int k = 0; k < 2; k++) {
                if ((k == 0) == chassisFirst) {
                    chassis = chassis(bootstrap, "kafka", n, rate, seconds, "r" + r);
                } else {
                    raw = raw(bootstrap, n, rate, seconds, "r" + r);
                }
            }
            tputRatios.add(chassis[0] / raw[0]);
            p50Ratios.add(chassis[1] / raw[1]);
            p99Ratios.add(chassis[2] / raw[2]);
            System.out.printf(Locale.ROOT, "round %d: throughput chassis %.0f vs raw %.0f events/s (%.3f); latency p50 %.2f vs"
                    + " %.2f ms (%.3f), p99 %.2f vs %.2f ms (%.3f)%n", r, chassis[0], raw[0], chassis[0] / raw[0], chassis[1],
                    raw[1], chassis[1] / raw[1], chassis[2], raw[2], chassis[2] / raw[2]);
        }
        System.out.printf(Locale.ROOT, "median: throughput chassis/raw %.3f; p50 chassis/raw %.3f; p99 chassis/raw %.3f%n",
                median(tputRatios), median(p50Ratios), median(p99Ratios));
        double[] memory = chassis(null, "memory", n, rate, seconds, "mem");
        System.out.printf(Locale.ROOT, "in-memory broker: throughput %.0f events/s; latency p50 %.2f ms, p99 %.2f ms%n",
                memory[0], memory[1], memory[2]);
        System.exit(0);
    }

    private static void warm(String bootstrap, int n) throws Exception {
        raw(bootstrap, n / 2, 1000, 1, "warm");
        chassis(bootstrap, "kafka", n / 2, 1000, 1, "warm");
    }

    /** One consumer handler that counts and records latencies. */
    public static final class Sink {
        final long[] latencies;
        final AtomicInteger count = new AtomicInteger();
        final CountDownLatch done;

        Sink(int expected) {
            latencies = new long[expected];
            done = new CountDownLatch(expected);
        }

        void take(Tick t) {
            int i = count.getAndIncrement();
            if (i < latencies.length) {
                latencies[i] = System.nanoTime() - t.sentNanos();
            }
            done.countDown();
        }
    }

    /** {throughput events/s, p50 ms, p99 ms} through Chassis. */
    static double[] chassis(String bootstrap, String broker, int n, int rate, int seconds, String tag) throws Exception {
        String tputTopic = "bench.throughput";
        String latTopic = LatencySink.TOPIC;
        int paced = rate * seconds;
        Sink sink = new Sink(paced);
        LatencySink.current = sink; // each round's service joins the group where the last one committed
        var b = Chassis.service("bench-" + tag).property("server.port", "0").property("server.shutdown.delay", "0s")
                .property("chassis.extensions.observability.enabled", "false").property("messaging.broker", broker)
                .property("messaging.memory.name", "bench-" + UUID.randomUUID());
        if (bootstrap != null) {
            b.property("messaging.kafka.bootstrap-servers", bootstrap).property("messaging.kafka.linger", "5ms");
        }
        Publisher publisher = b.component(Publisher.class);
        RunningService s = b.consume(new LatencySink()).start();
        try {
            long start = System.nanoTime();
            List<CompletableFuture<Published>> acks = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                acks.add(publisher.publishAsync(tputTopic, "k" + (i % 16), new Tick(System.nanoTime(), i, PAYLOAD)));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            double tput = n / ((System.nanoTime() - start) / 1e9);
            pace(rate, seconds, i -> publisher.publishAsync(latTopic, "k" + (i % 16), new Tick(System.nanoTime(), i, PAYLOAD)));
            if (!sink.done.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("chassis: only " + sink.count.get() + " of " + paced + " consumed");
            }
            return new double[] {tput, percentile(sink.latencies, 50), percentile(sink.latencies, 99)};
        } finally {
            s.stop();
        }
    }

    /** The Chassis latency consumer: one topic and group for every round, the round's sink. */
    public static final class LatencySink {
        static final String TOPIC = "bench.latency";
        static volatile Sink current;

        @Consume(topic = TOPIC, group = "bench")
        public void on(Tick t) {
            current.take(t);
        }
    }

    /** {throughput events/s, p50 ms, p99 ms} with the raw clients, configured as the Chassis binding is. */
    static double[] raw(String bootstrap, int n, int rate, int seconds, String tag) throws Exception {
        String tputTopic = "bench.throughput.raw";
        String latTopic = "bench.latency.raw";
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        int paced = rate * seconds;
        Sink sink = new Sink(paced);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            Thread consumer = Thread.ofPlatform().start(() -> consume(bootstrap, latTopic, sink, paced));
            long start = System.nanoTime();
            List<CompletableFuture<Void>> acks = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                acks.add(send(producer, tputTopic, i));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            double tput = n / ((System.nanoTime() - start) / 1e9);
            pace(rate, seconds, i -> send(producer, latTopic, i));
            if (!sink.done.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("raw: only " + sink.count.get() + " of " + paced + " consumed");
            }
            consumer.join();
            return new double[] {tput, percentile(sink.latencies, 50), percentile(sink.latencies, 99)};
        }
    }

    /** What Chassis sends: the JSON event and the CloudEvents headers (a raw client sending less would flatter it). */
    private static CompletableFuture<Void> send(KafkaProducer<String, byte[]> producer, String topic, int i) {
        byte[] value;
        try {
            value = Json.mapper().writeValueAsBytes(new Tick(System.nanoTime(), i, PAYLOAD));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, null, "k" + (i % 16), value, List.of(
                new RecordHeader("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("ce_id", UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("ce_source", "/bench".getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("ce_type", Tick.class.getName().getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("content-type", "application/json".getBytes(StandardCharsets.UTF_8))));
        CompletableFuture<Void> ack = new CompletableFuture<>();
        producer.send(record, (m, e) -> {
            if (e != null) {
                ack.completeExceptionally(e);
            } else {
                ack.complete(null);
            }
        });
        return ack;
    }

    private static void consume(String bootstrap, String topic, Sink sink, int expected) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-raw");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        var reader = Json.mapper().readerFor(Tick.class);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c)) {
            consumer.subscribe(List.of(topic));
            while (sink.count.get() < expected) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    try {
                        sink.take(reader.readValue(r.value()));
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
                consumer.commitSync(); // after handling, as Chassis does
            }
        }
    }

    private static void pace(int rate, int seconds, IntConsumer send) throws InterruptedException {
        long interval = 1_000_000_000L / rate;
        long next = System.nanoTime();
        for (int i = 0; i < rate * seconds; i++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            send.accept(i);
            next += interval;
        }
    }

    private static double percentile(long[] nanos, int p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
    }

    private static double median(List<Double> values) {
        List<Double> s = new ArrayList<>(values);
        s.sort(null);
        int m = s.size() / 2;
        return s.size() % 2 == 1 ? s.get(m) : (s.get(m - 1) + s.get(m)) / 2;
    }
}
