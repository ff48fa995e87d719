package dev.chassis.messaging.kafka.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.spi.ClientTls;
import dev.chassis.messaging.spi.Acknowledged;
import dev.chassis.messaging.spi.Broker;
import dev.chassis.messaging.spi.BrokerProvider;
import dev.chassis.messaging.spi.BrokerRecord;
import dev.chassis.messaging.spi.Delivered;
import dev.chassis.messaging.spi.PartitionHandler;
import dev.chassis.messaging.spi.Subscription;

/**
 * The Kafka binding: one idempotent producer per service ({@code acks=all} by default), a consumer per
 * subscription with auto-commit off (offsets are committed after their handler returned), an admin client for
 * readiness and lag. Record headers carry the CloudEvents attributes and trace context as UTF-8. Not API.
 */
final class KafkaBroker implements Broker {
    private final Map<String, Object> common = new HashMap<>();
    private final KafkaProducer<String, byte[]> producer;
    private final Admin admin;
    private final String clientId;
    private final int maxPollRecords;
    private final Duration sessionTimeout;
    private final int fetchMaxBytes;
    private final int maxPartitionFetchBytes;
    private final long consumerBuffer;
    private final ClientTls tls;
    private final String peer;
    private volatile String unhealthyReason;

    /** {@code tls}: the bundle {@code messaging.kafka.tls.bundle} names, or null. */
    KafkaBroker(ServiceInfo service, Config config, ClientTls tls) {
        this.tls = tls;
        this.peer = "the Kafka broker " + String.join(",", config.get(KafkaSettings.BOOTSTRAP));
        common.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", config.get(KafkaSettings.BOOTSTRAP)));
        common.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, securityProtocol(config, tls));
        if (tls != null) {
            common.put(SslConfigs.SSL_ENGINE_FACTORY_CLASS_CONFIG, BundleSslEngineFactory.class);
            common.put(BundleSslEngineFactory.BUNDLE, tls);
        }
        config.find(KafkaSettings.SASL_MECHANISM).ifPresent(v -> common.put("sasl.mechanism", v));
        config.find(KafkaSettings.SASL_JAAS).ifPresent(v -> common.put("sasl.jaas.config", v));
        config.find(KafkaSettings.TRUSTSTORE).ifPresent(v -> common.put("ssl.truststore.location", v));
        config.find(KafkaSettings.TRUSTSTORE_PASSWORD).ifPresent(v -> common.put("ssl.truststore.password", v));
        this.clientId = service.instanceId();
        this.maxPollRecords = config.get(KafkaSettings.MAX_POLL_RECORDS);
        this.sessionTimeout = config.get(KafkaSettings.SESSION_TIMEOUT);
        this.fetchMaxBytes = (int) Math.min(Integer.MAX_VALUE, config.get(KafkaSettings.FETCH_MAX_BYTES));
        this.maxPartitionFetchBytes = (int) Math.min(Integer.MAX_VALUE, config.get(KafkaSettings.MAX_PARTITION_FETCH_BYTES));
        this.consumerBuffer = config.get(KafkaSettings.CONSUMER_BUFFER);
        Map<String, Object> p = new HashMap<>(common);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-producer");
        p.put(ProducerConfig.ACKS_CONFIG, config.get(KafkaSettings.ACKS) == KafkaSettings.Acks.ALL ? "all" : "1");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, config.get(KafkaSettings.ACKS) == KafkaSettings.Acks.ALL);
        p.put(ProducerConfig.LINGER_MS_CONFIG, (int) config.get(KafkaSettings.LINGER).toMillis());
        // send() blocks while it has no metadata (the broker is down) or no buffer: never longer than a publish may
        // wait, so that publishAsync returns and publish fails in time
        long timeout = config.get(BrokerProvider.PUBLISH_TIMEOUT).toMillis();
        long linger = config.get(KafkaSettings.LINGER).toMillis();
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
        // ... and an acknowledgement that does not come within it fails (Kafka wants delivery >= linger + request)
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1, Math.min(30_000, timeout - linger)));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeout, linger + Math.max(1, Math.min(30_000,
                timeout - linger))));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(p);
        Map<String, Object> a = new HashMap<>(common);
        a.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId + "-admin");
        a.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        a.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        this.admin = Admin.create(a);
    }

    /** The security protocol: SSL when a bundle is named and no protocol is set; a plaintext one with a bundle is refused. */
    private static String securityProtocol(Config config, ClientTls tls) {
        String key = KafkaSettings.SECURITY_PROTOCOL.key();
        String protocol = config.get(KafkaSettings.SECURITY_PROTOCOL);
        if (tls == null) {
            return protocol;
        }
        if (config.raw(key).isEmpty()) {
            return "SSL";
        }
        if (!protocol.endsWith("SSL")) {
            throw new ConfigException(List.of(KafkaSettings.TLS_BUNDLE.key() + " = '" + tls.name() + "' needs SSL, but "
                    + key + " is " + protocol + ": set it to SSL or SASL_SSL, or leave it unset"));
        }
        if (config.find(KafkaSettings.TRUSTSTORE).isPresent()) {
            throw new ConfigException(List.of(KafkaSettings.TLS_BUNDLE.key() + " and "
                    + KafkaSettings.TRUSTSTORE.key() + " are both set: the bundle's trust replaces the truststore"));
        }
        return protocol;
    }

    /** A TLS refusal as a message naming the bundle and the broker; other failures unchanged. */
    private Throwable described(Throwable e) {
        return tls != null && e instanceof SslAuthenticationException
                ? new SslAuthenticationException(tls.handshakeFailure(peer, e), e) : e;
    }

    @Override
    public String system() {
        return "kafka";
    }

    @Override
    public CompletableFuture<Acknowledged> send(BrokerRecord record) {
        List<Header> headers = new ArrayList<>();
        record.headers().forEach((name, values) -> values.forEach(v ->
                headers.add(new RecordHeader(name, v.getBytes(StandardCharsets.UTF_8)))));
        CompletableFuture<Acknowledged> ack = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(record.topic(), null, record.key(), record.value(), headers), (meta, e) -> {
                if (e != null) {
                    ack.completeExceptionally(described(e));
                } else {
                    ack.complete(new Acknowledged(meta.partition(), meta.offset()));
                }
            });
        } catch (RuntimeException e) {
            ack.completeExceptionally(described(e)); // the producer refused at once (closed, metadata timeout, too large)
        }
        return ack;
    }

    /** A Kafka record as the SPI carries it: headers by lower-case name, values as UTF-8. */
    static BrokerRecord toRecord(ConsumerRecord<String, byte[]> r) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Header h : r.headers()) {
            headers.computeIfAbsent(h.key().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8));
        }
        return new BrokerRecord(r.topic(), r.key(), headers, r.value());
    }

    KafkaConsumer<String, byte[]> consumer(String group, String suffix) {
        Properties c = new Properties();
        c.putAll(common);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-" + suffix);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        c.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, fetchMaxBytes);
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, maxPartitionFetchBytes);
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis());
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(c);
    }

    @Override
    public Subscription subscribe(String topic, String group, int concurrency, PartitionHandler handler) {
        return new KafkaSubscription(this, topic, group, concurrency, consumerBuffer, handler);
    }

    @Override
    public int drain(String topic, String group, Consumer<Delivered> action) {
        try (KafkaConsumer<String, byte[]> consumer = consumer(group, "drain")) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos == null || infos.isEmpty()) {
                return 0;
            }
            List<TopicPartition> parts = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(10));
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(parts), Duration.ofSeconds(10));
            for (TopicPartition tp : parts) {
                OffsetAndMetadata o = committed.get(tp);
                if (o == null) {
                    consumer.seekToBeginning(List.of(tp));
                } else {
                    consumer.seek(tp, o.offset());
                }
            }
            int count = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("draining " + topic + " took more than 60 s; what was done is kept");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() >= end.get(tp)) {
                        continue; // arrived after the call: left for the next one
                    }
                    action.accept(new Delivered(toRecord(r), r.partition(), r.offset()));
                    consumer.commitSync(Map.of(tp, new OffsetAndMetadata(r.offset() + 1)));
                    count++;
                }
            }
            return count;
        }
    }

    /** Lag read within the last seconds: a metrics scrape must not wait on the broker. */
    private record CachedLag(long at, Map<Integer, Long> lag) {
    }

    private final Map<String, CachedLag> lags = new ConcurrentHashMap<>();

    @Override
    public Map<Integer, Long> lag(String topic, String group) {
        String key = group + " " + topic;
        CachedLag cached = lags.get(key);
        if (cached != null && System.nanoTime() - cached.at() < TimeUnit.SECONDS.toNanos(5)) {
            return cached.lag();
        }
        Map<Integer, Long> lag = readLag(topic, group);
        lags.put(key, new CachedLag(System.nanoTime(), lag));
        return lag;
    }

    private Map<Integer, Long> readLag(String topic, String group) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(500, TimeUnit.MILLISECONDS);
            List<TopicPartition> parts = admin.describeTopics(List.of(topic)).allTopicNames().get(500, TimeUnit.MILLISECONDS)
                    .get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<TopicPartition, OffsetSpec> latest = parts.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
                    .get(500, TimeUnit.MILLISECONDS);
            Map<Integer, Long> lag = new LinkedHashMap<>();
            for (TopicPartition tp : parts) {
                OffsetAndMetadata c = committed.get(tp);
                lag.put(tp.partition(), Math.max(0, ends.get(tp).offset() - (c == null ? 0 : c.offset())));
            }
            return lag;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        } catch (Exception e) {
            return Map.of(); // the topic does not exist yet, or the broker cannot be reached: no lag to report
        }
    }

    @Override
    public boolean healthy() {
        try {
            // well inside health.check-timeout (2 s by default), so that DOWN says why
            boolean up = !admin.describeCluster().nodes().get(1, TimeUnit.SECONDS).isEmpty();
            unhealthyReason = null;
            return up;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            unhealthyReason = tls != null && cause instanceof SslAuthenticationException
                    ? tls.handshakeFailure(peer, cause) : null;
            return false;
        }
    }

    /**
     * Kafka's retriable errors (no leader, not enough replicas, timeouts, a network failure) and an authentication
     * failure (the client's, not the record's) may pass; other errors refuse the record itself (too large, a topic
     * not authorised or invalid).
     */
    @Override
    public boolean retriable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RetriableException || t instanceof AuthenticationException
                    || t instanceof TimeoutException) {
                return true;
            }
            if (t instanceof ApiException) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean tooLarge(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String unhealthyReason() {
        return unhealthyReason;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        admin.close(Duration.ofSeconds(5));
    }
}
