package dev.chassis.tests.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.health.Health;
import dev.chassis.core.health.HealthCheck;
import dev.chassis.tests.LogCapture;
import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;
import dev.chassis.testing.TestService;

/** A 500 hides the exception from the client and logs it with the same trace id. */
class ErrorLoggingTest {
    private static final Logger LOGGER = Logger.getLogger("dev.chassis.core.internal.http.server.ErrorResponder");
    private final LogCapture capture = new LogCapture();
    private final List<LogRecord> records = capture.records();

    @RegisterExtension
    static final TestService service = TestService.of(() -> Chassis.service("logs").http(new KitchenSinkApi()));

    @BeforeEach
    void capture() {
        LOGGER.addHandler(capture);
    }

    @AfterEach
    void release() {
        LOGGER.removeHandler(capture);
    }

    @Test
    void unhandledExceptionIsLoggedWithTheTraceIdTheClientSees() {
        TestResponse r = service.client().get("/sink/boom");
        String traceId = r.json().get("traceId").asText();
        assertThat(records).anySatisfy(record -> {
            assertThat(record.getMessage()).contains("GET /sink/boom").contains("traceId=" + traceId);
            assertThat(record.getThrown()).hasMessageContaining("hunter2");
        });
        assertThat(r.body()).doesNotContain("hunter2");
    }

    @Test
    void problemsAndMappedExceptionsAreNotLoggedAsErrors() {
        service.client().get("/sink/problem");
        service.client().get("/sink/items/unknown");
        assertThat(records).isEmpty();
    }

    @Test
    void serviceNamesMustBeDnsLabels() {
        for (String bad : new String[] {"", "Orders", "orders_v2", "-orders", "orders-", "a".repeat(64), "ord ers"}) {
            assertThatThrownBy(() -> Chassis.service(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("DNS label");
        }
        String longest = "a".repeat(63);
        try (RunningService s = Chassis.service(longest).property("server.port", "0").start()) {
            assertThat(new TestClient(s.uri()).get("/info").json().get("name").asText()).isEqualTo(longest);
        }
    }

    @Test
    void healthCheckNamesMustBeUnique() {
        assertThatThrownBy(() -> Chassis.service("dup").property("server.port", "0")
                .healthCheck(HealthCheck.readiness("db", Health::up))
                .healthCheck(HealthCheck.liveness("db", Health::up))
                .start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("health check name 'db' is taken");
        assertThatThrownBy(() -> Chassis.service("dup").property("server.port", "0")
                .healthCheck(HealthCheck.readiness("lifecycle", Health::up)).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not 'lifecycle' or 'started'");
    }
}
