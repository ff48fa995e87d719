package dev.chassis.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.client.ClientException;
import dev.chassis.core.http.Client;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.testing.TestClient;

/** With chassis-resilience beside chassis-observability, the policies' state is in /metrics. */
class ResilienceMetricsTest {
    @Client("flaky")
    @Path("/flaky")
    public interface FlakyApi {
        @Get
        String get();
    }

    @Test
    void circuitStateAndRetryOutcomesAreMetrics() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort(); // nothing listens: every call is a connect failure, which is retried
        }
        var b = Chassis.service("caller").property("server.port", "0")
                .property("clients.flaky.url", "http://127.0.0.1:" + dead)
                .property("clients.flaky.retry.backoff", "1ms")
                .property("clients.flaky.retry.max-backoff", "1ms")
                .property("clients.flaky.circuit-breaker.enabled", "true")
                .property("clients.flaky.circuit-breaker.window-size", "4")
                .property("clients.flaky.circuit-breaker.minimum-calls", "4");
        FlakyApi flaky = b.client(FlakyApi.class);
        RunningService service = b.start();
        try {
            for (int i = 0; i < 4; i++) {
                assertThatThrownBy(flaky::get).isInstanceOf(ClientException.class);
            }
            String metrics = new TestClient(service.uri()).get("/metrics").body();
            assertThat(metrics)
                    .contains("resilience4j_circuitbreaker_state{name=\"client:flaky\",state=\"open\"} 1")
                    .contains("resilience4j_circuitbreaker_state{name=\"client:flaky\",state=\"closed\"} 0")
                    .containsPattern("resilience4j_circuitbreaker_calls_total\\{kind=\"failed\",name=\"client:flaky\"} [1-9]")
                    .containsPattern("resilience4j_circuitbreaker_calls_total\\{kind=\"not_permitted\",name=\"client:flaky\"} [1-9]")
                    .containsPattern("resilience4j_retry_calls_total\\{kind=\"failed_with_retry\",name=\"client:flaky\"} [1-9]")
                    .containsPattern("chassis_client_retry_budget_remaining\\{name=\"flaky\"} [0-9]+");
            TwoServicesTest.promtoolAccepts(metrics);
        } finally {
            service.stop();
        }
    }
}
