package dev.chassis.tests.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.config.Setting;
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
    private static final Setting<Integer> PIN = Setting.integer("vault.pin", null).range(0, 9999).secret()
            .describedAs("a PIN");
    private static final String KEYSTORE_PASSWORD = "Keystore-Pw-7f3a";
    private static final String DB_PASSWORD = "Db-Pw-91c2e";
    private static final String REPLAY_KEY = "Replay-Key-0123456789abcdef0123456789";
    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"u\" password=\"Jaas-Pw-55d1\";";
    private static final String TRUSTSTORE_PASSWORD = "Truststore-Pw-3e8b";
    private static final List<String> SECRETS = List.of(KEYSTORE_PASSWORD, DB_PASSWORD, REPLAY_KEY, "Jaas-Pw-55d1",
            TRUSTSTORE_PASSWORD, "4711");

    @TempDir
    Path dir;

    @BeforeAll
    static void everyModuleIsHere() {
        // the default execution leaves messaging, JDBC and security off the class path; -Dtest runs this there too
        Assumptions.assumeTrue(Boolean.getBoolean("test.all-modules"), "runs in the all-modules execution");
    }

    /** A service with every secret this repository declares set, serving TLS from a PKCS#12 keystore. */
    private ServiceBuilder everySecret(String name, String keystorePassword) {
        Path p12 = TestCertificates.authority("secrets-ca").issue("localhost").dns("localhost").create()
                .writePkcs12(dir.resolve(name + ".p12"), KEYSTORE_PASSWORD);
        return Chassis.service(name).settings(PIN)
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
                .property("vault.pin", "4711");
    }

    private static void assertShowsNoSecret(String what, String text) {
        for (String secret : SECRETS) {
            assertThat(text).as(what + " shows the secret " + secret).doesNotContain(secret);
        }
    }

    /** Runs {@code work} with every log record at any level captured (logger name, message, stack trace). */
    private static List<String> logged(Runnable work) {
        Logger root = Logger.getLogger("");
        Level before = root.getLevel();
        List<String> lines = new ArrayList<>();
        SimpleFormatter format = new SimpleFormatter();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                StringWriter text = new StringWriter().append(record.getLoggerName()).append(' ')
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
        root.setLevel(Level.ALL); // everything any library would log at its most verbose
        try {
            work.run();
        } finally {
            root.setLevel(before);
            root.removeHandler(capture);
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
                assertThat(new TestClient(s.managementUri()).get("/health/ready").status()).isEqualTo(200);
            } finally {
                s.stop();
            }
        });
        assertThat(lines).as("lines were captured, DEBUG ones included").hasSizeGreaterThan(20)
                .anySatisfy(l -> assertThat(l).contains("secrets").contains("serving on port"))
                .anySatisfy(l -> assertThat(l).as("HikariCP's lines, through SLF4J").startsWith("com.zaxxer.hikari"));
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
                KEYSTORE_PASSWORD).property("tls.bundles.x.trust", dir.resolve("ca.pem").toString()));
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
