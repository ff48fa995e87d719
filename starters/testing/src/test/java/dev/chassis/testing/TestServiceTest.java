package dev.chassis.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;

class TestServiceTest {
    /** An instance field: a service per test. */
    @RegisterExtension
    final TestService perTest = TestService.of(() -> Chassis.service("kit"));

    @Test
    void startsOnAFreePortWithItsEndpoints() {
        assertThat(perTest.port()).isPositive().isNotEqualTo(8080);
        assertThat(perTest.client().get("/health/live").status()).isEqualTo(200);
        assertThat(perTest.client().get("/info").json().get("name").asText()).isEqualTo("kit");
    }

    @Test
    void stopClosesThePort() {
        RunningService running = perTest.running();
        perTest.stop();
        assertThat(running.isRunning()).isFalse();
        assertThatThrownBy(() -> new Socket("127.0.0.1", running.port()).close())
                .isInstanceOf(ConnectException.class);
        assertThatThrownBy(perTest::port).hasMessageContaining("not running");
    }

    @Test
    void unregisteredServiceSaysHowToUseIt() {
        TestService notRegistered = TestService.of(() -> Chassis.service("x"));
        assertThatThrownBy(notRegistered::client).hasMessageContaining("@RegisterExtension");
    }

    @Test
    void headersMustComeInPairs() {
        TestClient client = new TestClient(URI.create("http://localhost:1"));
        assertThatThrownBy(() -> client.get("/", "X-Only-A-Name"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name/value pairs");
    }
}
