package dev.chassis.messaging.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.messaging.Consume;
import dev.chassis.testing.Eventually;
import dev.chassis.messaging.jdbc.Databases;

/** Chassis' tables are versioned: an older schema is migrated with its rows kept; a newer one is refused. */
class SchemaTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    record Placed(String id) {
    }

    public static final class Seen {
        final List<String> ids = new CopyOnWriteArrayList<>();

        @Consume(topic = "legacy", group = "seen")
        public void on(Placed event) {
            ids.add(event.id());
        }
    }

    private static String url(String db) {
        return db.equals("h2") ? Databases.newH2("schema") : Databases.newPostgres("schema");
    }

    private static int version(Connection c) throws Exception {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version FROM chassis_schema WHERE name = 'chassis'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aVersion1SchemaIsMigratedAndItsUnsentEventStillPublished(String db) throws Exception {
        String url = url(db);
        try (Connection c = DriverManager.getConnection(url)) {
            assertThat(Schema.migrate(c, 1)).as("the dialect migrated") // as an older library left it
                    .isEqualTo(db.equals("h2") ? Dialect.H2 : Dialect.POSTGRESQL);
            assertThat(version(c)).isEqualTo(1);
            try (PreparedStatement ps = c.prepareStatement(JdbcOutbox.INSERT)) {
                ps.setString(1, "legacy");
                ps.setString(2, "k");
                ps.setString(3, "legacy-1");
                ps.setString(4, "{\"ce_specversion\":[\"1.0\"],\"ce_id\":[\"legacy-1\"],\"ce_source\":[\"/old\"],"
                        + "\"ce_type\":[\"placed\"],\"content-type\":[\"application/json\"]}");
                ps.setBytes(5, "{\"id\":\"o-1\"}".getBytes(StandardCharsets.UTF_8));
                ps.setObject(6, OffsetDateTime.now(ZoneOffset.UTC));
                ps.executeUpdate();
            }
        }
        Seen seen = new Seen();
        ServiceBuilder b = Chassis.service("schema").property("server.port", "0").property("server.shutdown.delay", "0s")
                .property("datasource.url", url).property("messaging.memory.name", "schema-" + db).consume(seen);
        RunningService s = b.start();
        try {
            Eventually.within(WAIT).until("the event written before the upgrade published",
                    () -> seen.ids.equals(List.of("o-1")));
            try (Connection c = DriverManager.getConnection(url)) {
                assertThat(version(c)).isEqualTo(Schema.VERSION);
                try (Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM chassis_idempotency")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isZero(); // created by migration 2
                }
            }
        } finally {
            s.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aNewerSchemaFailsStartUpSayingWhatToUpgrade(String db) throws Exception {
        String url = url(db);
        try (Connection c = DriverManager.getConnection(url)) {
            Schema.migrate(c, Schema.VERSION);
            try (Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE chassis_schema SET version = 99 WHERE name = 'chassis'");
            }
        }
        assertThatThrownBy(() -> Chassis.service("schema").property("server.port", "0")
                .property("datasource.url", url).start())
                .hasMessageContaining("version 99").hasMessageContaining("upgrade dev.chassis:chassis-messaging-jdbc");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void migratingTwiceChangesNothing(String db) throws Exception {
        try (Connection c = DriverManager.getConnection(url(db))) {
            Schema.migrate(c, Schema.VERSION);
            Schema.migrate(c, Schema.VERSION);
            assertThat(version(c)).isEqualTo(Schema.VERSION);
        }
    }
}
