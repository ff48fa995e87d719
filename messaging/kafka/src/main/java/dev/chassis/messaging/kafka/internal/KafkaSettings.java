package dev.chassis.messaging.kafka.internal;

import java.time.Duration;
import java.util.List;

import dev.chassis.core.config.Setting;

/** The configuration keys of the Kafka binding. Not API. */
final class KafkaSettings {
    enum Acks { ALL, ONE }

    static final Setting<List<String>> BOOTSTRAP = Setting.list("messaging.kafka.bootstrap-servers",
            List.of("localhost:9092")).describedAs("host:port of one or more brokers");
    static final Setting<Acks> ACKS = Setting.oneOf("messaging.kafka.acks", Acks.class, Acks.ALL)
            .describedAs("all: acknowledged once every in-sync replica has the record (no acknowledged loss)");
    static final Setting<Duration> LINGER = Setting.duration("messaging.kafka.linger", Duration.ofMillis(5))
            .describedAs("how long the producer waits to batch records");
    static final Setting<Integer> MAX_POLL_RECORDS = Setting.integer("messaging.kafka.max-poll-records", 500)
            .range(1, 100_000).describedAs("records one poll may return");
    static final Setting<Long> FETCH_MAX_BYTES = Setting.size("messaging.kafka.fetch-max-bytes", 16L << 20).min(1024)
            .describedAs("the most bytes one fetch from the brokers returns (fetch.max.bytes; Kafka's own default is 50MiB)");
    static final Setting<Long> MAX_PARTITION_FETCH_BYTES = Setting.size("messaging.kafka.max-partition-fetch-bytes",
            1L << 20).min(1024).describedAs("the most bytes one fetch returns per partition (max.partition.fetch.bytes);"
                    + " a larger record still comes, alone");
    static final Setting<Long> CONSUMER_BUFFER = Setting.size("messaging.kafka.consumer-buffer", 32L << 20).min(1024)
            .describedAs("per @Consume handler: above this many bytes of records polled and not yet handled, its"
                    + " partitions are paused until half are handled (with the fetch sizes, this bounds a consumer's memory)");
    static final Setting<Duration> SESSION_TIMEOUT = Setting.duration("messaging.kafka.session-timeout",
            Duration.ofSeconds(45)).describedAs("how long the group waits for a silent consumer before rebalancing");
    static final Setting<String> SECURITY_PROTOCOL = Setting.string("messaging.kafka.security-protocol", "PLAINTEXT")
            .describedAs("PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL");
    static final Setting<String> SASL_MECHANISM = Setting.string("messaging.kafka.sasl.mechanism", null)
            .describedAs("PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, ...");
    static final Setting<String> SASL_JAAS = Setting.string("messaging.kafka.sasl.jaas-config", null).secret()
            .describedAs("the JAAS login line (sasl.jaas.config)");
    static final Setting<String> TLS_BUNDLE = Setting.string("messaging.kafka.tls.bundle", null)
            .describedAs("the tls.bundles name to connect with over SSL: its certificate is the client's (mutual TLS),"
                    + " its trust checks the brokers' certificates and host names; sets security-protocol to SSL");
    static final Setting<String> TRUSTSTORE = Setting.string("messaging.kafka.ssl.truststore-location", null)
            .describedAs("the truststore file for SSL");
    static final Setting<String> TRUSTSTORE_PASSWORD = Setting.string("messaging.kafka.ssl.truststore-password", null)
            .secret()
            .describedAs("the truststore's password");

    private KafkaSettings() {
    }

    static List<Setting<?>> all() {
        return List.of(BOOTSTRAP, ACKS, LINGER, MAX_POLL_RECORDS, FETCH_MAX_BYTES, MAX_PARTITION_FETCH_BYTES,
                CONSUMER_BUFFER, SESSION_TIMEOUT, SECURITY_PROTOCOL, SASL_MECHANISM,
                SASL_JAAS, TLS_BUNDLE, TRUSTSTORE, TRUSTSTORE_PASSWORD);
    }
}
