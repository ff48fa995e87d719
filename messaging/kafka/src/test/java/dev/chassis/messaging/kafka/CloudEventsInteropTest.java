package dev.chassis.messaging.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.messaging.Consume;
import dev.chassis.testing.Eventually;
import dev.chassis.messaging.EventType;
import dev.chassis.messaging.Message;
import dev.chassis.messaging.Published;
import dev.chassis.messaging.Publisher;
import io.cloudevents.CloudEvent;
import io.cloudevents.SpecVersion;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;

/**
 * Interoperability with the CloudEvents Java SDK over a real Kafka broker: what Chassis publishes, a plain
 * kafka-clients consumer with the SDK's deserializer reads; what the SDK produces, in binary and in structured
 * mode, a Chassis handler consumes; a record that is not a CloudEvent goes to the dead letters at once.
 */
class CloudEventsInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @EventType("dev.chassis.test.stock.reserved.v1")
    public record StockReserved(String sku, int quantity) {
    }

    private static ServiceBuilder service(String name) {
        return Chassis.service(name).property("server.port", "0").property("server.shutdown.delay", "0s")
                .property("messaging.broker", "kafka")
                .property("messaging.kafka.bootstrap-servers", EmbeddedKafka.bootstrapServers());
    }

    @Test
    void theSdkReadsWhatChassisPublishes() throws Exception {
        var b = service("inventory");
        Publisher publisher = b.component(Publisher.class);
        RunningService s = b.start();
        Published published;
        try {
            published = publisher.publish("i1.stock.reserved", "pen", new StockReserved("pen", 3));
        } finally {
            s.stop();
        }
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedKafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "sdk-reader");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, CloudEventDeserializer.class.getName());
        try (KafkaConsumer<String, CloudEvent> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of("i1.stock.reserved"));
            List<ConsumerRecord<String, CloudEvent>> got = new CopyOnWriteArrayList<>();
            Eventually.within(Duration.ofSeconds(20)).until("a record in i1.stock.reserved", () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
                return !got.isEmpty();
            });
            assertThat(got).hasSize(1);
            ConsumerRecord<String, CloudEvent> r = got.get(0);
            CloudEvent e = r.value();
            assertThat(r.key()).isEqualTo("pen");
            assertThat(e.getSpecVersion()).isEqualTo(SpecVersion.V1);
            assertThat(e.getId()).isEqualTo(published.id());
            assertThat(e.getSource()).isEqualTo(URI.create("/inventory"));
            assertThat(e.getType()).isEqualTo("dev.chassis.test.stock.reserved.v1");
            assertThat(e.getDataContentType()).isEqualTo("application/json");
            assertThat(e.getTime()).isNotNull();
            assertThat(new ObjectMapper().readTree(e.getData().toBytes()))
                    .isEqualTo(new ObjectMapper().readTree("{\"sku\":\"pen\",\"quantity\":3}"));
            assertThat(r.headers().lastHeader("traceparent")).isNotNull(); // W3C trace context beside the attributes
        }
    }

    /** Records what it receives. */
    public static final class Reservations {
        final List<Message<StockReserved>> received = new CopyOnWriteArrayList<>();

        @Consume(topic = "i2.stock.reserved", group = "orders")
        public void on(StockReserved event, Message<StockReserved> message) {
            received.add(message);
        }
    }

    @Test
    void chassisConsumesWhatTheSdkProducesInBothModesAndDeadLettersWhatIsNotAnEvent() throws Exception {
        Reservations reservations = new Reservations();
        RunningService s = service("orders").consume(reservations).start();
        try {
            String binaryId = UUID.randomUUID().toString();
            String structuredId = UUID.randomUUID().toString();
            send(Encoding.BINARY, binaryId, "{\"sku\":\"ink\",\"quantity\":2}");
            send(Encoding.STRUCTURED, structuredId, "{\"sku\":\"pad\",\"quantity\":5}");
            Eventually.within(WAIT).until("both events are consumed", () -> reservations.received.size() == 2);
            Message<StockReserved> binary = reservations.received.stream().filter(m -> m.id().equals(binaryId))
                    .findFirst().orElseThrow();
            assertThat(binary.data()).isEqualTo(new StockReserved("ink", 2));
            assertThat(binary.source()).isEqualTo(URI.create("/sdk-producer"));
            assertThat(binary.type()).isEqualTo("dev.chassis.test.stock.reserved.v1");
            assertThat(binary.subject()).contains("ink");
            assertThat(binary.time()).isPresent();
            Message<StockReserved> structured = reservations.received.stream().filter(m -> m.id().equals(structuredId))
                    .findFirst().orElseThrow();
            assertThat(structured.data()).isEqualTo(new StockReserved("pad", 5));

            // not a CloudEvent at all: dead-lettered at once, without attempts
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedKafka.bootstrapServers());
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(p)) {
                raw.send(new ProducerRecord<>("i2.stock.reserved", "x", "not an event".getBytes(StandardCharsets.UTF_8)))
                        .get();
            }
            // (a plain consumer reads the dead letter: it is no more a CloudEvent than the record was)
            Map<String, String> headers = firstHeaders("i2.stock.reserved.dlq");
            assertThat(reservations.received).hasSize(2);
            assertThat(headers).containsEntry("chassis-dlq-attempts", "0").containsEntry("chassis-dlq-topic",
                    "i2.stock.reserved");
            assertThat(headers.get("chassis-dlq-error")).startsWith("unreadable: not a CloudEvent");
        } finally {
            s.stop();
        }
    }

    private static void send(Encoding encoding, String id, String json) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedKafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, CloudEventSerializer.class.getName());
        p.put(CloudEventSerializer.ENCODING_CONFIG, encoding);
        p.put(CloudEventSerializer.EVENT_FORMAT_CONFIG, JsonFormat.CONTENT_TYPE);
        try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(p)) {
            CloudEvent event = CloudEventBuilder.v1()
                    .withId(id)
                    .withSource(URI.create("/sdk-producer"))
                    .withType("dev.chassis.test.stock.reserved.v1")
                    .withSubject(new ObjectMapper().readTree(json).get("sku").asText())
                    .withTime(OffsetDateTime.now())
                    .withDataContentType("application/json")
                    .withData(json.getBytes(StandardCharsets.UTF_8))
                    .build();
            producer.send(new ProducerRecord<>("i2.stock.reserved", "k", event)).get();
        }
    }

    private static Map<String, String> firstHeaders(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedKafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-inspector-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> got = new ArrayList<>();
            Eventually.within(Duration.ofSeconds(20)).until("a record in " + topic, () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
                return !got.isEmpty();
            });
            Map<String, String> h = new HashMap<>();
            got.get(0).headers().forEach(x -> h.put(x.key(), new String(x.value(), StandardCharsets.UTF_8)));
            return h;
        }
    }
}
