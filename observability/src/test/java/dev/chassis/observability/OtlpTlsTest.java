package dev.chassis.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.http.Get;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.StartFailure;
import dev.chassis.testing.TestCertificates;
import dev.chassis.testing.TestClient;

/**
 * OTLP to an https collector with a private CA that requires a client certificate
 * ({@code observability.otlp.tls.bundle}). The collector is the JDK's HTTPS server recording each OTLP/HTTP post and
 * the subject of the certificate it came with.
 */
class OtlpTlsTest {
    private static Path dir;
    private static HttpsServer collector;
    private static final List<String> POSTS = new CopyOnWriteArrayList<>();

    @dev.chassis.core.http.Path("/orders") // CHECKSTYLE:FQN-OK: java.nio.file.Path is imported
    public static final class Orders {
        @Get
        public String list() {
            return "[]";
        }
    }

    @BeforeAll
    static void startCollector() throws IOException {
        dir = Files.createTempDirectory("chassis-otlp-tls-");
        TestCertificates ca = TestCertificates.authority("collector test CA");
        ca.writePem(dir.resolve("ca.pem"));
        TestCertificates.Issued server = ca.issue("collector").dns("localhost").ip("127.0.0.1").create();
        TestCertificates.Issued client = ca.issue("orders").spiffe("spiffe://test/orders").create();
        client.writePem(dir.resolve("client.pem"), dir.resolve("client.key"));
        TestCertificates.authority("another CA").writePem(dir.resolve("other-ca.pem"));

        collector = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // a context that presents the collector's certificate and trusts the test CA: clients must present one of its
        collector.setHttpsConfigurator(new HttpsConfigurator(ca.clientContext(server)) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = getSSLContext().getDefaultSSLParameters();
                p.setNeedClientAuth(true);
                params.setSSLParameters(p);
            }
        });
        collector.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String subject;
            try {
                subject = ((X509Certificate) ((HttpsExchange) exchange).getSSLSession().getPeerCertificates()[0])
                        .getSubjectX500Principal().getName();
            } catch (SSLPeerUnverifiedException e) {
                subject = "none";
            }
            POSTS.add(subject + " " + exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
                    + new String(body, StandardCharsets.ISO_8859_1));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
    }

    @AfterAll
    static void stopCollector() {
        collector.stop(0);
    }

    private static String endpoint() {
        return "https://localhost:" + collector.getAddress().getPort();
    }

    private static ServiceBuilder service(String name, String trust) {
        return Chassis.service(name).property("server.port", "0").property("server.shutdown.delay", "0s")
                .property("observability.tracing.exporter", "otlp")
                .property("observability.otlp.endpoint", endpoint())
                .property("observability.otlp.tls.bundle", "collector")
                .property("tls.bundles.collector.trust", dir.resolve(trust).toString())
                .property("tls.bundles.collector.certificate", dir.resolve("client.pem").toString())
                .property("tls.bundles.collector.private-key", dir.resolve("client.key").toString())
                .http(new Orders());
    }

    @Test
    void spansReachTheCollectorOverMutualTls() {
        RunningService s = service("orders", "ca.pem").start();
        try {
            assertThat(new TestClient(s.uri()).get("/orders").status()).isEqualTo(200);
        } finally {
            s.stop(); // flushes the batch
        }
        assertThat(POSTS).anySatisfy(p -> assertThat(p).startsWith("CN=orders POST /v1/traces ")
                .contains("GET /orders").contains("orders"));
    }

    @Test
    void aCollectorCertificateFromAnotherCaIsLoggedNamingTheBundleAndTheCollector() {
        List<String> warnings = tlsWarnings(service("wrong-ca", "other-ca.pem"));
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("TLS handshake with the OTLP collector at " + endpoint() + "/v1/traces"
                + " failed (bundle 'collector')").contains("does not chain to the CAs of tls.bundles.collector.trust");
        assertThat(POSTS).noneSatisfy(p -> assertThat(p).contains("wrong-ca"));
    }

    @Test
    void aBundleWithoutAClientCertificateIsLoggedNamingTheBundleAndTheCollector() {
        ServiceBuilder b = Chassis.service("no-cert").property("server.port", "0").property("server.shutdown.delay", "0s")
                .property("observability.tracing.exporter", "otlp")
                .property("observability.otlp.endpoint", endpoint())
                .property("observability.otlp.tls.bundle", "collector")
                .property("tls.bundles.collector.trust", dir.resolve("ca.pem").toString())
                .http(new Orders());
        List<String> warnings = tlsWarnings(b);
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("TLS handshake with the OTLP collector at " + endpoint() + "/v1/traces"
                + " failed (bundle 'collector')").contains("bundle 'collector' has none");
        assertThat(POSTS).noneSatisfy(p -> assertThat(p).contains("no-cert"));
    }

    /** Runs the service until an export has failed; what the exporter's TLS check logged (once, however often). */
    private static List<String> tlsWarnings(ServiceBuilder b) {
        List<String> warnings = new CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger("dev.chassis.observability.internal.OtlpTls");
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                warnings.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        RunningService s = b.start();
        try {
            TestClient client = new TestClient(s.uri());
            // the batch is exported every 5 s: keep making spans until an export has failed, then one more
            Eventually.within(Duration.ofSeconds(30)).until("the failed export is logged", () -> {
                client.get("/orders");
                return !warnings.isEmpty();
            });
        } finally {
            s.stop(); // its last flush fails the same way: not logged again
            logger.removeHandler(handler);
        }
        return warnings;
    }

    @Test
    void aBundleThatDoesNotExistFailsStartUpNamingTheSetting() {
        RuntimeException e = StartFailure.of(service("missing", "ca.pem")
                .property("observability.otlp.tls.bundle", "colector"));
        assertThat(e).isInstanceOf(ConfigException.class)
                .hasMessageContaining("observability.otlp.tls.bundle = 'colector'")
                .hasMessageContaining("names no bundle under tls.bundles").hasMessageContaining("collector");
    }

    @Test
    void aPlaintextCollectorWithABundleFailsStartUp() {
        RuntimeException e = StartFailure.of(service("plain", "ca.pem")
                .property("observability.otlp.endpoint", "http://localhost:4318"));
        assertThat(e).isInstanceOf(ConfigException.class)
                .hasMessageContaining("observability.otlp.tls.bundle = 'collector' is set, but the collector's endpoint"
                        + " http://localhost:4318/v1/traces is not https");
    }
}
