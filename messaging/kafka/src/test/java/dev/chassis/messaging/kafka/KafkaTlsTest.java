package dev.chassis.messaging.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.config.ConfigException;
import dev.chassis.messaging.Consume;
import dev.chassis.messaging.Publisher;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.StartFailure;
import dev.chassis.testing.TestCertificates;
import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;

/**
 * The Kafka binding over SSL with a client certificate ({@code messaging.kafka.tls.bundle}), against a real broker
 * whose only client listener is SSL with {@code ssl.client.auth=required}.
 */
class KafkaTlsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static Path dir;
    private static KafkaProcess kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        dir = Files.createTempDirectory("chassis-kafka-tls-");
        TestCertificates ca = TestCertificates.authority("kafka test CA");
        ca.writePem(dir.resolve("ca.pem"));
        ca.issue("broker").dns("localhost").ip("127.0.0.1").create().writePkcs12(dir.resolve("broker.p12"), "secret");
        ca.issue("orders").spiffe("spiffe://test/orders").create()
                .writePem(dir.resolve("client.pem"), dir.resolve("client.key"));
        TestCertificates.authority("another CA").writePem(dir.resolve("other-ca.pem"));
        ca.issue("admin").create().writePkcs12(dir.resolve("admin.p12"), "secret");
        List<String> ssl = List.of(
                "ssl.keystore.type=PKCS12",
                "ssl.keystore.location=" + dir.resolve("broker.p12"),
                "ssl.keystore.password=secret",
                "ssl.truststore.type=PEM",
                "ssl.truststore.location=" + dir.resolve("ca.pem"),
                "ssl.client.auth=required");
        kafka = new KafkaProcess("SSL", ssl, Map.of(
                "security.protocol", "SSL",
                "ssl.keystore.type", "PKCS12",
                "ssl.keystore.location", dir.resolve("admin.p12").toString(),
                "ssl.keystore.password", "secret",
                "ssl.truststore.type", "PEM",
                "ssl.truststore.location", dir.resolve("ca.pem").toString()));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static ServiceBuilder service(String name, String trust, boolean clientCertificate) {
        ServiceBuilder b = Chassis.service(name).property("server.port", "0").property("server.shutdown.delay", "0s")
                .property("messaging.broker", "kafka").property("messaging.kafka.bootstrap-servers", kafka.bootstrapServers())
                .property("messaging.kafka.linger", "1ms").property("messaging.publish-timeout", "5s")
                .property("tls.bundles.kafka.trust", dir.resolve(trust).toString())
                .property("messaging.kafka.tls.bundle", "kafka");
        if (clientCertificate) {
            b.property("tls.bundles.kafka.certificate", dir.resolve("client.pem").toString())
                    .property("tls.bundles.kafka.private-key", dir.resolve("client.key").toString());
        }
        return b;
    }

    public record Greeting(String text) {
    }

    /** Records what it consumed. */
    public static final class Greetings {
        final Set<String> texts = ConcurrentHashMap.newKeySet();

        @Consume(topic = "tls.greetings", group = "greeter")
        public void on(Greeting greeting) {
            texts.add(greeting.text());
        }
    }

    @Test
    void publishesAndConsumesOverMutualTls() {
        Greetings consumer = new Greetings();
        ServiceBuilder b = service("tls-orders", "ca.pem", true).consume(consumer);
        Publisher publisher = b.component(Publisher.class);
        RunningService s = b.start();
        try {
            TestClient health = new TestClient(s.uri());
            Eventually.within(WAIT).until("the messaging check is UP over SSL",
                    () -> health.get("/health/ready").body().contains("\"name\":\"messaging\",\"status\":\"UP\""));
            publisher.publish("tls.greetings", "k", new Greeting("hello over TLS"));
            Eventually.within(WAIT).until("the greeting is consumed", () -> consumer.texts.contains("hello over TLS"));
        } finally {
            s.stop();
        }
    }

    @Test
    void aBrokerCertificateFromAnotherCaIsRefusedNamingTheBundleAndTheBroker() {
        assertThat(readinessReason(service("tls-wrong-ca", "other-ca.pem", true)))
                .contains("bundle 'kafka'", "Kafka broker " + kafka.bootstrapServers(),
                        "does not chain to the CAs of tls.bundles.kafka.trust");
    }

    @Test
    void withoutAClientCertificateTheBrokerRefusesNamingTheBundleAndTheBroker() {
        assertThat(readinessReason(service("tls-no-cert", "ca.pem", false)))
                .contains("bundle 'kafka'", "Kafka broker " + kafka.bootstrapServers(), "has none");
    }

    @Test
    void aPlaintextProtocolWithABundleFailsStartUp() {
        RuntimeException e = StartFailure.of(service("tls-plaintext", "ca.pem", true)
                .property("messaging.kafka.security-protocol", "PLAINTEXT"));
        assertThat(e).isInstanceOf(ConfigException.class)
                .hasMessageContaining("messaging.kafka.tls.bundle = 'kafka' needs SSL, but messaging.kafka.security-protocol"
                        + " is PLAINTEXT");
    }

    @Test
    void aBundleThatIsNotDeclaredFailsStartUp() {
        RuntimeException e = StartFailure.of(service("tls-unknown", "ca.pem", true)
                .property("messaging.kafka.tls.bundle", "kafak"));
        assertThat(e).isInstanceOf(ConfigException.class)
                .hasMessageContaining("messaging.kafka.tls.bundle = 'kafak'").hasMessageContaining("names no bundle")
                .hasMessageContaining("kafka");
    }

    /** The reason readiness gives once the messaging check is DOWN (reported only: readiness itself stays UP). */
    private static String readinessReason(ServiceBuilder builder) {
        RunningService s = builder.start();
        try {
            TestClient health = new TestClient(s.uri());
            return Eventually.within(WAIT).get("readiness says the TLS handshake failed", () -> {
                TestResponse r = health.get("/health/ready");
                return r.body();
            }, body -> body.contains("TLS handshake"));
        } finally {
            s.stop();
        }
    }
}
