package dev.chassis.tests.ext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.config.ConfigException;
import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;

/** An extension on the classpath plugs in through the SPI; configuration turns it off. */
class ExtensionTest {
    @Test
    void extensionAddsRouteFilterHealthCheckAndHooks() {
        GreetingExtension.EVENTS.clear();
        int port;
        try (RunningService s = Chassis.service("ext").property("server.port", "0").property("greeting.text", "hey")
                .property("greeting.repeat", "2").start()) {
            port = s.port();
            TestClient client = new TestClient(s.uri());
            TestResponse r = client.get("/ext/greeting");
            assertThat(r.body()).isEqualTo("heyhey");
            assertThat(r.header("X-Greeting-Filter")).contains("seen");
            TestResponse ready = client.get("/health/ready");
            assertThat(ready.json().findValues("name")).extracting(n -> n.asText()).contains("greeting");
            assertThat(client.send("POST", "/ext/greeting", "{}").status()).isEqualTo(405);
        }
        assertThat(GreetingExtension.EVENTS).containsExactly("bound:ext", "started:ext:" + port, "stopping:ext", "stopped:ext");
    }

    @Test
    void disabledExtensionAddsNothing() {
        try (RunningService s = Chassis.service("ext").property("server.port", "0")
                .property("chassis.extensions.greeting.enabled", "false").start()) {
            TestClient client = new TestClient(s.uri());
            assertThat(client.get("/ext/greeting").status()).isEqualTo(404);
            assertThat(client.get("/health/ready").body()).doesNotContain("greeting");
        }
    }

    @Test
    void builtInHealthEndpointsCanBeTurnedOff() {
        try (RunningService s = Chassis.service("ext").property("server.port", "0")
                .property("chassis.extensions.health.enabled", "false").start()) {
            TestClient client = new TestClient(s.uri());
            assertThat(client.get("/health/live").status()).isEqualTo(404);
            assertThat(client.get("/info").status()).isEqualTo(200);
        }
    }

    @Test
    void extensionSettingsAreValidated() {
        assertThatThrownBy(() -> Chassis.service("ext").property("server.port", "0").property("greeting.repeat", "9").start())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("greeting.repeat = '9'")
                .hasMessageContaining("a whole number between 1 and 5");
    }

    @Test
    void unknownKeyUnderAnExtensionPrefixFailsWithASuggestion() {
        assertThatThrownBy(() -> Chassis.service("ext").property("server.port", "0").property("greeting.txt", "x").start())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key greeting.txt")
                .hasMessageContaining("Did you mean greeting.text?");
    }
}
