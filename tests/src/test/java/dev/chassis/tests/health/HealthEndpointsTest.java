package dev.chassis.tests.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chassis.core.Chassis;
import dev.chassis.core.health.Health;
import dev.chassis.core.health.HealthCheck;
import dev.chassis.testing.TestResponse;
import dev.chassis.testing.TestService;

/** The health endpoints in the MicroProfile Health shape, and /info. */
class HealthEndpointsTest {
    private static final CountDownLatch NEVER = new CountDownLatch(1);

    @RegisterExtension
    static final TestService healthy = TestService.of(() -> Chassis.service("healthy").version("2.1.0")
            .property("service.instance-id", "healthy-1")
            .healthCheck(HealthCheck.readiness("db", () -> Health.up().with("pool", 10))));

    @RegisterExtension
    static final TestService sick = TestService.of(() -> Chassis.service("sick")
            .property("chassis.extensions.greeting.enabled", "false") // the test extension of this module
            .healthCheck(HealthCheck.liveness("heart", Health::up))
            .healthCheck(HealthCheck.readiness("db", () -> Health.down("connection refused")))
            .healthCheck(HealthCheck.readiness("hangs", () -> {
                try {
                    NEVER.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Health.up();
            }))
            .healthCheck(HealthCheck.readiness("throws", () -> {
                throw new IllegalStateException("password=hunter2");
            })));

    @AfterAll
    static void release() {
        NEVER.countDown();
    }

    @Test
    void allUpAnswers200InTheMicroProfileShape() {
        TestResponse r = healthy.client().get("/health/ready");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).contains("application/json");
        JsonNode j = r.json();
        assertThat(j.get("status").asText()).isEqualTo("UP");
        assertThat(j.get("checks").findValuesAsText("name")).contains("lifecycle", "db");
        JsonNode db = checkNamed(j, "db");
        assertThat(db.get("status").asText()).isEqualTo("UP");
        assertThat(db.get("data").get("pool").asInt()).isEqualTo(10);
        assertThat(healthy.client().get("/health/live").status()).isEqualTo(200);
        assertThat(healthy.client().get("/health/started").json().get("status").asText()).isEqualTo("UP");
    }

    @Test
    @Timeout(30)
    void downHangingAndThrowingChecksMakeReadiness503ButNotLiveness() {
        TestResponse ready = sick.client().get("/health/ready");
        assertThat(ready.status()).isEqualTo(503);
        JsonNode j = ready.json();
        assertThat(j.get("status").asText()).isEqualTo("DOWN");
        assertThat(checkNamed(j, "db").get("data").get("reason").asText()).isEqualTo("connection refused");
        assertThat(checkNamed(j, "hangs").get("status").asText()).isEqualTo("DOWN");
        assertThat(checkNamed(j, "hangs").get("data").get("error").asText()).startsWith("timed out after 2000 ms");
        assertThat(checkNamed(j, "throws").get("data").get("error").asText()).isEqualTo("check failed: IllegalStateException");
        assertThat(ready.body()).doesNotContain("hunter2");

        TestResponse live = sick.client().get("/health/live");
        assertThat(live.status()).isEqualTo(200);
        assertThat(live.json().get("checks").findValuesAsText("name")).containsExactly("heart");
    }

    @Test
    void healthShowsEveryCheckOnce() {
        TestResponse all = sick.client().get("/health");
        assertThat(all.status()).isEqualTo(503);
        assertThat(all.json().get("checks").findValuesAsText("name"))
                .containsExactly("lifecycle", "heart", "db", "hangs", "throws", "started");
    }

    @Test
    void infoNamesTheService() {
        JsonNode info = healthy.client().get("/info").json();
        assertThat(info.get("name").asText()).isEqualTo("healthy");
        assertThat(info.get("version").asText()).isEqualTo("2.1.0");
        assertThat(info.get("instanceId").asText()).isEqualTo("healthy-1");
        assertThat(Instant.parse(info.get("startTime").asText())).isBefore(Instant.now());
        assertThat(info.get("protocols").findValuesAsText("protocols")).isEmpty();
        assertThat(info.get("protocols").toString()).contains("http/1.1").contains("h2c");
    }

    private static JsonNode checkNamed(JsonNode report, String name) {
        for (JsonNode c : report.get("checks")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no check named " + name + " in " + report);
    }
}
