package dev.chassis.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.chassis.core.Caller;
import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.http.Client;
import dev.chassis.core.http.Get;
import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;

/**
 * The two halves of chassis-security together: a user's token verified by orders' filter is relayed by orders'
 * declarative client ({@code clients.inventory.credentials: relay}) to inventory, which verifies it again and sees
 * the same user. A real OpenID Connect provider issues the token.
 */
class RelayTest {
    private static final Provider PROVIDER = new Provider();
    private static final RunningService INVENTORY = PROVIDER.trusted(Chassis.service("inventory").http(new WhoAmI()))
            .property("server.port", "0").start();
    private static final RunningService ORDERS = orders();

    /** Inventory: who is calling, as its own filter verified. */
    public static final class WhoAmI {
        @Get("/whoami")
        @Authenticated
        public String whoami(Caller caller) {
            return caller.subject().orElseThrow();
        }
    }

    /** Orders' client of inventory. */
    @Client("inventory")
    public interface Inventory {
        @Get("/whoami")
        String whoami();
    }

    /** Orders: asks inventory who it thinks is calling. */
    public static final class Relaying {
        private final Inventory inventory;

        Relaying(Inventory inventory) {
            this.inventory = inventory;
        }

        @Get("/relay")
        public Map<String, String> relay(Caller caller) {
            return Map.of("here", caller.subject().orElse("anonymous"), "there", inventory.whoami());
        }
    }

    private static RunningService orders() {
        ServiceBuilder b = PROVIDER.trusted(Chassis.service("orders")).property("server.port", "0")
                .property("clients.inventory.url", INVENTORY.uri().toString())
                .property("clients.inventory.credentials", "relay");
        return b.http(new Relaying(b.client(Inventory.class))).start();
    }

    @AfterAll
    static void stop() {
        ORDERS.stop();
        INVENTORY.stop();
        PROVIDER.close();
    }

    @Test
    void theVerifiedTokenOfTheRequestIsRelayedAndVerifiedAgainDownstream() {
        TestResponse r = new TestClient(ORDERS.uri()).get("/relay", "Authorization", "Bearer " + PROVIDER.token(Map.of()));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("here").asText()).isEqualTo("alice");
        assertThat(r.json().get("there").asText()).isEqualTo("alice");
    }

    @Test
    void withoutATokenNothingIsRelayedAndDownstreamRefuses() {
        TestResponse r = new TestClient(ORDERS.uri()).get("/relay");
        // inventory answers 401 to orders' client; orders reports its dependency's refusal, never a token
        assertThat(r.status()).isNotEqualTo(200);
        assertThat(r.body()).doesNotContain("Bearer");
    }
}
