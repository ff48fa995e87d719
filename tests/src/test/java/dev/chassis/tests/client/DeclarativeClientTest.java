package dev.chassis.tests.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.client.ClientTimeoutException;
import dev.chassis.core.client.HttpClients;
import dev.chassis.core.client.RemoteProblemException;
import dev.chassis.core.client.UnreachableException;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.http.BindingException;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.core.http.QueryParam;
import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;
import dev.chassis.testing.TestService;
import io.helidon.http.Status;

/** A client interface that the server implements too, used over real sockets. */
class DeclarativeClientTest {
    @RegisterExtension
    static final TestService inventory = TestService.of(() -> Chassis.service("inventory")
            .http(new InventoryService())
            .routing(rules -> rules
                    .get("/plain-error", (req, res) -> res.status(Status.INTERNAL_SERVER_ERROR_500)
                            .send("plain text failure"))
                    .get("/slow", (req, res) -> {
                        Thread.sleep(3000);
                        res.send("late");
                    })));

    private InventoryApi client() {
        return HttpClients.create(InventoryApi.class, inventory.uri());
    }

    @Test
    void roundTripsThroughTheSharedInterface() {
        InventoryApi client = client();
        assertThat(client.find("pen")).contains(new InventoryApi.Item("pen", 10));
        InventoryApi.Reservation r = client.reserve(new InventoryApi.Reserve("pen", 3), Optional.of("key-1"));
        assertThat(r.sku()).isEqualTo("pen");
        assertThat(r.key()).isEqualTo("key-1");
        assertThat(client.find("pen").orElseThrow().quantity()).isEqualTo(7);
        var response = client.reservation(r.id());
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(r);
        assertThat(response.headers()).anySatisfy(h -> {
            assertThat(h.getKey()).isEqualToIgnoringCase("X-Reservation");
            assertThat(h.getValue()).isEqualTo(r.id());
        });
        client.cancel(r.id());
    }

    @Test
    void notFoundIsEmptyForOptional() {
        assertThat(client().find("nothing")).isEmpty();
    }

    @Test
    void pathAndQueryValuesAreEncoded() {
        assertThat(client().find("a b&c?d")).contains(new InventoryApi.Item("a b&c?d", 1));
        for (String unsafe : new String[] {"a/b", "..", ".", ""}) {
            assertThatThrownBy(() -> client().find(unsafe)).as(unsafe)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("path parameter 'sku' cannot be");
        }
        assertThat(client().search("x y&z", List.of("t1", "t 2"))).containsExactly(new InventoryApi.Item("x y&z:t1+t 2", 2));
    }

    @Test
    void problemAnswersBecomeTypedExceptionsCarryingTheProblem() {
        assertThatThrownBy(() -> client().reserve(new InventoryApi.Reserve("pen", 1000), Optional.empty()))
                .isInstanceOfSatisfying(RemoteProblemException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.problem().title()).isEqualTo("Not enough stock");
                    assertThat(e.problem().extensions()).containsKey("available");
                    assertThat(e.target()).isEqualTo("inventory");
                    assertThat(e.retryable()).isFalse();
                });
        assertThatThrownBy(() -> client().cancel("nope"))
                .isInstanceOfSatisfying(RemoteProblemException.class, e -> assertThat(e.status()).isEqualTo(404));
    }

    @Test
    void nonProblemErrorBodiesStillGiveAUsefulException() {
        PlainApi plain = HttpClients.create(PlainApi.class, inventory.uri());
        assertThatThrownBy(plain::plainError)
                .isInstanceOfSatisfying(RemoteProblemException.class, e -> {
                    assertThat(e.status()).isEqualTo(500);
                    assertThat(e.problem().detail()).isEqualTo("plain text failure");
                    assertThat(e.targetFailure()).isTrue();
                });
    }

    @Test
    void connectFailureIsUnreachableAndRetryable() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        InventoryApi dead = HttpClients.create(InventoryApi.class, URI.create("http://127.0.0.1:" + closedPort));
        assertThatThrownBy(() -> dead.find("pen"))
                .isInstanceOfSatisfying(UnreachableException.class, e -> assertThat(e.retryable()).isTrue());
    }

    @Test
    void requestTimeoutIsATimeoutNotRetried() {
        PlainApi slow = HttpClients.create(PlainApi.class, Duration.ofSeconds(1), Duration.ofMillis(300), inventory.uri());
        assertThatThrownBy(slow::slow)
                .isInstanceOfSatisfying(ClientTimeoutException.class, e -> assertThat(e.retryable()).isFalse());
    }

    @Test
    void clientFailuresEscapingAHandlerBecomeTheCallersOwnProblems() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        ServiceBuilder b = Chassis.service("orders").property("server.port", "0")
                .property("clients.inventory.url", inventory.uri().toString());
        InventoryApi inv = b.client(InventoryApi.class);
        ServiceBuilder b2 = Chassis.service("orders2").property("server.port", "0")
                .property("clients.inventory.url", "http://127.0.0.1:" + closedPort);
        InventoryApi deadInv = b2.client(InventoryApi.class);
        try (RunningService orders = b.http(new OrdersApi(inv)).start();
             RunningService orders2 = b2.http(new OrdersApi(deadInv)).start()) {
            var http = new TestClient(orders.uri());
            TestResponse ok = http.get("/orders/stock/pen");
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.json().get("quantity").asInt()).isPositive();

            TestResponse downstream409 = http.get("/orders/reserve/pen/1000");
            assertThat(downstream409.status()).isEqualTo(502);
            assertThat(downstream409.json().get("detail").asText()).isEqualTo("a call to inventory answered 409");
            assertThat(downstream409.body()).doesNotContain("Not enough stock");

            TestResponse unreachable = new TestClient(orders2.uri()).get("/orders/stock/pen");
            assertThat(unreachable.status()).isEqualTo(503);
            assertThat(unreachable.header("Retry-After")).contains("1");
        }
    }

    @Test
    void aClientCalledBeforeItsServiceStartsSaysSo() {
        InventoryApi early = Chassis.service("early").client(InventoryApi.class);
        assertThatThrownBy(() -> early.find("pen"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("bound when its service starts");
    }

    @Test
    void aTargetWithNoInstancesFailsStartUp() {
        ServiceBuilder b = Chassis.service("lost").property("server.port", "0");
        b.client(InventoryApi.class);
        assertThatThrownBy(b::start)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("set clients.inventory.url");
    }

    @Test
    void aBadTargetUrlFailsStartUp() {
        ServiceBuilder b = Chassis.service("lost").property("server.port", "0").property("clients.inventory.url", "ftp://x");
        b.client(InventoryApi.class);
        assertThatThrownBy(b::start)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("clients.inventory.url = 'ftp://x'")
                .hasMessageContaining("absolute http(s) URIs");
    }

    @Test
    void clientInterfacesAreCheckedWhenBound() {
        assertThatThrownBy(() -> HttpClients.create(Unbound.class, inventory.uri()))
                .isInstanceOf(BindingException.class)
                .hasMessageContaining("Unbound.get(String)")
                .hasMessageContaining("{id} has no @PathParam");
        assertThatThrownBy(() -> HttpClients.create(String.class, inventory.uri()))
                .isInstanceOf(BindingException.class)
                .hasMessageContaining("is not an interface");
        assertThatThrownBy(() -> Chassis.service("x").client(Unannotated.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no @Client annotation");
    }

    /** Raw routes of the inventory test service. */
    public interface PlainApi {
        @Get("/plain-error")
        String plainError();

        @Get("/slow")
        String slow();
    }

    public interface Unbound {
        @Get("/things/{id}")
        String get(@QueryParam String id);
    }

    public interface Unannotated {
        @Get("/x")
        String get();
    }

    /** A handler of the orders service that calls inventory. */
    @Path("/orders")
    public static final class OrdersApi {
        private final InventoryApi inventory;

        OrdersApi(InventoryApi inventory) {
            this.inventory = inventory;
        }

        @Get("/stock/{sku}")
        public Optional<InventoryApi.Item> stock(@PathParam String sku) {
            return inventory.find(sku);
        }

        @Get("/reserve/{sku}/{quantity}")
        public InventoryApi.Reservation reserve(@PathParam String sku, @PathParam int quantity) {
            return inventory.reserve(new InventoryApi.Reserve(sku, quantity), Optional.empty());
        }
    }
}
