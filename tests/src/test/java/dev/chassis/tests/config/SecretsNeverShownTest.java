package dev.chassis.tests.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.config.Setting;
import dev.chassis.core.http.Client;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.testing.StartFailure;
import dev.chassis.testing.TestCertificates;
import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;

/**
 * Secret-typed settings ({@link Setting#secret()}) over a whole service's life, with every module on the class path:
 * never in a start-up error (a bad value, a wrong password, a misplaced secret), never in a log line at any level
 * (Chassis', Helidon's, HikariCP's), never in {@code /info}.
 */
class SecretsNeverShownTest {
    private static final TestCertificates CA = TestCertificates.authority("secrets-ca");
    private static final Setting<Integer> PIN = Setting.integer("vault.pin", null).range(0, 9999).secret()
            .describedAs("a PIN");
    private static final String KEYSTORE_PASSWORD = "Keystore-Pw-7f3a";
    private static final String DB_PASSWORD = "Db-Pw-91c2e";
    private static final String REPLAY_KEY = "Replay-Key-0123456789abcdef0123456789";
    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"u\" password=\"Jaas-Pw-55d1\";";
    private static final String TRUSTSTORE_PASSWORD = "Truststore-Pw-3e8b";
    private static final String CLIENT_SECRET = "Client-Secret-c0ffee";
    private static final List<String> SECRETS = List.of(KEYSTORE_PASSWORD, DB_PASSWORD, REPLAY_KEY, "Jaas-Pw-55d1",
            TRUSTSTORE_PASSWORD, "4711", CLIENT_SECRET,
            // the client secret as HTTP Basic sends it
            Base64.getEncoder().encodeToString(("orders:" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8)));

    @Client("stock")
    @Path("/stock")
    public interface StockApi {
        @Get
        @Path("/{sku}")
        String stock(@PathParam("sku") String sku);
    }

    @Path("/orders")
    public static final class Orders {
        private final StockApi stock;

        Orders(StockApi stock) {
            this.stock = stock;
        }

        @Get
        public String order() {
            return stock.stock("pen");
        }
    }

    /**
     * An OAuth token endpoint that refuses this service's client and, as some do, quotes what it was sent in its
     * error_description.
     */
    private HttpServer tokens;
    private final AtomicInteger tokenRequests = new AtomicInteger();

    @BeforeEach
    void tokenEndpoint() throws IOException {
        tokens = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        tokens.createContext("/token", exchange -> {
            tokenRequests.incrementAndGet();
            String sent = exchange.getRequestHeaders().getFirst("Authorization") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            byte[] body = ("{\"error\":\"invalid_client\",\"error_description\":\"bad client: "
                    + sent.replace("\"", "'") + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        tokens.start();
    }

    @AfterEach
    void stopTokenEndpoint() {
        tokens.stop(0);
    }

    @TempDir
    File dir;

    @BeforeAll
    static void everyModuleIsHere() {
        // the default execution leaves messaging, JDBC and security off the class path; -Dtest runs this there too
        Assumptions.assumeTrue(Boolean.getBoolean("test.all-modules"), "runs in the all-modules execution");
    }

    /** A service with every secret this repository declares set, serving TLS from a PKCS#12 keystore. */
    private ServiceBuilder everySecret(String name, String keystorePassword) {
        var p12 = CA.issue("localhost").dns("localhost").create()
                .writePkcs12(dir.toPath().resolve(name + ".p12"), KEYSTORE_PASSWORD);
        ServiceBuilder b = Chassis.service(name);
        return b.settings(PIN).http(new Orders(b.client(StockApi.class)))
                .property("server.port", "0").property("management.port", "0")
                .property("server.shutdown.delay", "0s")
                .property("server.tls.bundle", "edge")
                .property("tls.bundles.edge.keystore", p12.toString())
                .property("tls.bundles.edge.keystore-password", keystorePassword)
                .property("datasource.url", "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1")
                .property("datasource.username", "sa")
                .property("datasource.password", DB_PASSWORD)
                .property("messaging.replay.key", REPLAY_KEY)
                .property("messaging.kafka.sasl.jaas-config", JAAS)
                .property("messaging.kafka.ssl.truststore-password", TRUSTSTORE_PASSWORD)
                .property("vault.pin", "4711")
                .property("logging.level", "trace")
                .property("clients.stock.url", "http://127.0.0.1:" + tokens.getAddress().getPort())
                .property("clients.stock.credentials", "client-credentials")
                .property("clients.stock.client-credentials.token-url",
                        "http://127.0.0.1:" + tokens.getAddress().getPort() + "/token")
                .property("clients.stock.client-credentials.client-id", "orders")
                .property("clients.stock.client-credentials.client-secret", CLIENT_SECRET);
    }

    private static void assertShowsNoSecret(String what, String text) {
        for (String secret : SECRETS) {
            assertThat(text).as(what + " shows the secret " + secret).doesNotContain(secret);
        }
    }

    /**
     * Runs {@code work} with every log record at any level captured (logger name, message, stack trace): every logger
     * that has a level of its own is opened to ALL for the while (and the services here ask for logging.level: trace,
     * in case one of them is the first of the JVM, which sets logging up).
     */
    private static List<String> logged(Runnable work) {
        Map<Logger, Level> levels = new HashMap<>();
        for (String name : Collections.list(LogManager.getLogManager().getLoggerNames())) {
            Logger logger = LogManager.getLogManager().getLogger(name);
            if (logger != null && logger.getLevel() != null) {
                levels.put(logger, logger.getLevel());
            }
        }
        Logger root = Logger.getLogger("");
        levels.putIfAbsent(root, root.getLevel());
        List<String> lines = new ArrayList<>();
        SimpleFormatter format = new SimpleFormatter();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                StringWriter text = new StringWriter().append(record.getLevel().getName()).append(' ')
                        .append(record.getLoggerName()).append(' ')
                        .append(format.formatMessage(record));
                if (record.getThrown() != null) {
                    record.getThrown().printStackTrace(new PrintWriter(text));
                }
                synchronized (lines) {
                    lines.add(text.toString());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(Level.ALL);
        root.addHandler(capture);
        levels.keySet().forEach(l -> l.setLevel(Level.ALL)); // everything any library would log at its most verbose
        try {
            work.run();
        } finally {
            root.removeHandler(capture);
            levels.forEach(Logger::setLevel);
        }
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Test
    void noLogLineAtAnyLevelAndNoInfoShowsASecret() {
        List<String> lines = logged(() -> {
            RunningService s = everySecret("secrets", KEYSTORE_PASSWORD).start();
            try {
                TestResponse info = new TestClient(s.managementUri()).get("/info");
                assertThat(info.status()).isEqualTo(200);
                assertThat(info.json().get("name").asText()).isEqualTo("secrets");
                assertShowsNoSecret("/info", info.body());
                TestResponse ready = new TestClient(s.managementUri()).get("/health/ready");
                assertThat(ready.status()).isEqualTo(200);
                assertShowsNoSecret("/health/ready", ready.body());
                // the token endpoint refuses the client: the call fails, and says why
                TestResponse order = new TestClient(s.uri(), CA.clientContext()).get("/orders");
                assertThat(order.status()).as(order.body()).isEqualTo(503);
                assertShowsNoSecret("the problem answered", order.body());
                assertThat(tokenRequests.get()).as("the token endpoint was asked").isPositive();
            } finally {
                s.stop();
            }
        });
        assertThat(lines).as("lines were captured, DEBUG ones included").hasSizeGreaterThan(20)
                .anySatisfy(l -> assertThat(l).contains("secrets").contains("serving on port"))
                .anySatisfy(l -> assertThat(l).as("HikariCP's lines, through SLF4J").contains(" com.zaxxer.hikari."))
                .anySatisfy(l -> assertThat(l).as("a DEBUG line").startsWith("FINE"));
        lines.forEach(l -> assertShowsNoSecret("the log line '" + l + "'", l));
    }

    @Test
    void aWrongDatabasePasswordShowsInNoProbeAndNoLogLine() throws SQLException {
        // the database exists with another password: the pool cannot connect, readiness is DOWN
        try (Connection held = DriverManager.getConnection("jdbc:h2:mem:wrongdb;DB_CLOSE_DELAY=-1", "sa", "Other-Db-Pw")) {
            List<String> lines = logged(() -> {
                RunningService s = everySecret("wrongdb", KEYSTORE_PASSWORD)
                        .property("datasource.url", "jdbc:h2:mem:wrongdb;DB_CLOSE_DELAY=-1").start();
                try {
                    TestResponse ready = new TestClient(s.managementUri()).get("/health/ready");
                    assertThat(ready.status()).as(ready.body()).isEqualTo(503);
                    assertShowsNoSecret("/health/ready", ready.body());
                    assertThat(ready.body()).doesNotContain("Other-Db-Pw");
                } finally {
                    s.stop();
                }
            });
            assertThat(lines).anySatisfy(l -> assertThat(l).containsIgnoringCase("password"));
            lines.forEach(l -> assertShowsNoSecret("the log line '" + l + "'", l));
            lines.forEach(l -> assertThat(l).doesNotContain("Other-Db-Pw"));
            assertThat(held.isValid(1)).isTrue();
        }
    }

    @Test
    void aBadValueOfASecretSettingIsNamedButNeverShown() {
        RuntimeException e = StartFailure.of(Chassis.service("badpin").settings(PIN).property("vault.pin", "hunter2"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("vault.pin = '" + Setting.MASK + "'")
                .hasMessageContaining("(from code").hasMessageNotContaining("hunter2");
        RuntimeException outOfRange = StartFailure.of(Chassis.service("bigpin").settings(PIN).property("vault.pin", "47110"));
        assertThat(outOfRange).hasMessageContaining("vault.pin").hasMessageNotContaining("47110");
    }

    @Test
    void aWrongKeystorePasswordIsNamedButNeverShown() {
        RuntimeException tls = StartFailure.of(everySecret("wrongtls", "Wrong-Keystore-Pw"));
        assertThat(tls).hasMessageContaining("tls.bundles.edge.keystore-password").hasMessageNotContaining("Wrong-Keystore-Pw");
        assertShowsNoSecret("the error", describe(tls));

    }

    @Test
    void aSecretWithoutWhatItUnlocksIsNamedButNeverShown() {
        RuntimeException e = StartFailure.of(Chassis.service("orphan").property("tls.bundles.x.keystore-password",
                KEYSTORE_PASSWORD).property("tls.bundles.x.trust", dir.toPath().resolve("ca.pem").toString()));
        assertThat(e).hasMessageContaining("tls.bundles.x.keystore-password is set without tls.bundles.x.keystore");
        assertShowsNoSecret("the error", describe(e));
    }

    @Test
    void aMistypedSecretKeyIsNamedButItsValueNeverShown() {
        RuntimeException e = StartFailure.of(Chassis.service("typo").property("tls.bundles.x.keystore-pasword",
                KEYSTORE_PASSWORD).property("datasource.pasword", DB_PASSWORD));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("unknown key tls.bundles.x.keystore-pasword")
                .hasMessageContaining("unknown key datasource.pasword");
        assertShowsNoSecret("the error", describe(e));
    }

    /** The exception's message, its causes' and its stack trace: all an operator could see of it. */
    private static String describe(Throwable e) {
        StringWriter text = new StringWriter();
        e.printStackTrace(new PrintWriter(text));
        return text.toString();
    }
}
