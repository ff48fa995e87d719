package dev.chassis.samples.shop.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chassis.samples.shop.inventory.v1.InventoryGrpc;
import dev.chassis.samples.shop.inventory.v1.ReserveRequest;
import dev.chassis.testing.Conformance;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.OpenApiContract;
import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;

/**
 * The shop end to end, each service in its own JVM, on a real Kafka broker (its own JVM) and a real PostgreSQL
 * (embedded binaries): the scenario, one trace across the three services, the standard's conformance checks on each,
 * and services SIGKILLed and restarted mid-stream with nothing lost and nothing notified twice. Orders are placed with
 * users' tokens from the demo's OpenID Connect provider; calls without a token or without the scope are refused, and
 * orders reserves stock with its own client-credentials token.
 */
class ShopEndToEndTest {
    private static List<String> notified(TestClient notifications) {
        List<String> ids = new ArrayList<>();
        notifications.get("/notifications").json().forEach(n -> ids.add(n.path("orderId").asText()));
        return ids;
    }

    private static String place(TestClient orders, String bearer, int i) {
        TestResponse r = orders.post("/orders", "{\"customer\":\"c" + i + "\",\"sku\":\"pen\",\"quantity\":1}",
                "Authorization", bearer, "Idempotency-Key", "e2e-" + i);
        assertThat(r.status()).as("order %d: %s", i, r.body()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    /** How inventory answers a Reserve call with this Authorization (or none), over plaintext gRPC. */
    private static Status.Code reserveStatus(ShopSystem shop, String authorization) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", shop.uri("inventory").getPort())
                .usePlaintext().build();
        try {
            Metadata headers = new Metadata();
            if (authorization != null) {
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
            }
            InventoryGrpc.InventoryBlockingStub stub = InventoryGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .withDeadlineAfter(30, TimeUnit.SECONDS);
            stub.reserve(ReserveRequest.newBuilder().setOrderId("intruder").setSku("pen").setQuantity(1).build());
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    @Timeout(600)
    void ordersFlowThroughTheThreeServicesInOneTraceAndRestartsLoseNothing() throws Exception {
        try (ShopSystem shop = ShopSystem.start(ShopSystem.Database.POSTGRESQL, System.out)) {
            Scenario.Result result = new Scenario(shop, System.out).run();

            Set<String> services = new HashSet<>();
            for (JsonNode span : result.spans()) {
                services.add(span.path("service").asText());
            }
            assertThat(services).as("one trace spans the three services").containsExactlyInAnyOrder("orders",
                    "inventory", "notifications");
            assertThat(result.spans()).extracting(s -> s.path("name").asText()).contains("POST /orders",
                    "shop.inventory.v1.Inventory/Reserve", "send orders.placed", "process orders.placed");

            String bearer = "Bearer " + shop.provider().userToken("ada", "orders:write");
            Conformance.of(shop.uri("inventory")).check();
            Conformance.of(shop.uri("orders")).badInput("POST", "/orders", "Authorization", bearer).withoutGrpc().check();
            Conformance.of(shop.uri("notifications")).withoutGrpc().check();
            // each service answers as its /openapi says (no order is placed here: the counts below stay exact)
            OpenApiContract.of(shop.uri("orders"), shop.uri("orders"))
                    .request("POST", "/orders", "{\"customer\":\"\",\"sku\":\"pen\",\"quantity\":1}", "Authorization", bearer)
                    .request("POST", "/orders", "{\"customer\":\"eve\",\"sku\":\"pen\",\"quantity\":1}")
                    .request("GET", "/orders/no-such-order", null, "Authorization", bearer)
                    .check();
            OpenApiContract.of(shop.uri("notifications"), shop.uri("notifications")).request("GET", "/notifications")
                    .check();

            // who may place an order: a token with orders:write; without a token 401, without the scope 403
            TestClient orders = new TestClient(shop.uri("orders"));
            String order = "{\"customer\":\"eve\",\"sku\":\"pen\",\"quantity\":1}";
            TestResponse anonymous = orders.post("/orders", order);
            assertThat(anonymous.status()).as(anonymous.body()).isEqualTo(401);
            assertThat(anonymous.header("WWW-Authenticate")).hasValue("Bearer");
            assertThat(anonymous.header("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                    .startsWith("application/problem+json"));
            TestResponse reader = orders.post("/orders", order, "Authorization", "Bearer "
                    + shop.provider().userToken("eve", "orders:read"));
            assertThat(reader.status()).as(reader.body()).isEqualTo(403);
            assertThat(reader.header("WWW-Authenticate").orElseThrow()).contains("error=\"insufficient_scope\"",
                    "scope=\"orders:write\"");
            assertThat(orders.post("/orders", order, "Authorization", "Bearer not-a-jwt").status()).isEqualTo(401);
            // reading an order needs a token, any scope
            assertThat(orders.get("/orders/" + result.orderId()).status()).isEqualTo(401);
            assertThat(orders.get("/orders/" + result.orderId(), "Authorization", "Bearer "
                    + shop.provider().userToken("eve", "orders:read")).json().path("customer").asText()).isEqualTo("ada");

            // orders reserved with its own client-credentials token: inventory saw orders' client id, not ada's
            TestClient inventoryAdmin = new TestClient(shop.uri("inventory"));
            assertThat(inventoryAdmin.get("/stock/reservations/" + result.orderId()).json().path("reservedBy").asText())
                    .isEqualTo("orders");
            // and inventory's Reserve needs a token for inventory granting inventory:reserve: none, ada's token for
            // orders (another audience) and one for inventory without the scope are refused
            assertThat(reserveStatus(shop, null)).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(reserveStatus(shop, bearer)).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(reserveStatus(shop, "Bearer " + shop.provider().token("ada", "inventory", "orders:write")))
                    .isEqualTo(Status.Code.PERMISSION_DENIED);

            TestClient inventory = new TestClient(shop.uri("inventory"));
            TestClient notifications = new TestClient(shop.uri("notifications"));
            assertThat(inventory.put("/stock/pen", "{\"quantity\":1000}").status()).isEqualTo(200);
            List<String> placed = new ArrayList<>(List.of(result.orderId()));

            // the consumer crashes: orders keep coming; its restart picks up where the group left off
            shop.kill("notifications");
            for (int i = 0; i < 15; i++) {
                placed.add(place(new TestClient(shop.uri("orders")), bearer, i));
            }
            shop.start("notifications");

            // the publisher crashes with orders committed but their events not yet published (its relay is off):
            // the events are in its outbox table, and go out after its restart; first the relay sends what it has,
            // so that exactly the 15 orders placed below wait (a kill during a send would leave one more)
            Eventually.within(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(unsent(shop)).as("the first orders' events sent").isZero());
            shop.kill("orders");
            shop.start("orders", Map.of("outbox.relay", "false"));
            List<String> unpublished = new ArrayList<>();
            for (int i = 15; i < 30; i++) {
                unpublished.add(place(new TestClient(shop.uri("orders")), bearer, i));
            }
            assertThat(unsent(shop)).as("the 15 events wait, unsent, in the orders database").isEqualTo(15);
            assertThat(notified(notifications)).as("nothing of the unpublished orders is out yet")
                    .doesNotContainAnyElementsOf(unpublished);
            shop.kill("orders");
            placed.addAll(unpublished);
            shop.start("orders");
            for (int i = 30; i < 40; i++) {
                placed.add(place(new TestClient(shop.uri("orders")), bearer, i));
            }

            Eventually.within(Duration.ofSeconds(120))
                    .until("every order notified", () -> new HashSet<>(notified(notifications)).containsAll(placed));
            List<String> sent = notified(notifications);
            assertThat(new HashSet<>(sent)).as("every order notified").containsAll(placed);
            assertThat(sent).as("no order notified twice").doesNotHaveDuplicates();
            assertThat(sent).hasSize(placed.size());
            assertThat(inventory.get("/stock/pen").json().path("quantity").asInt()).as("each reserved once")
                    .isEqualTo(1000 - 40);
        }
    }

    /** The rows of the orders service's outbox not sent yet. */
    private static long unsent(ShopSystem shop) throws SQLException {
        try (Connection c = DriverManager.getConnection(shop.databaseUrl("orders"));
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM chassis_outbox WHERE sent_at IS NULL")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
