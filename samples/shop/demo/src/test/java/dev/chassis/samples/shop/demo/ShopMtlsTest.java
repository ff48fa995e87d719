package dev.chassis.samples.shop.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.chassis.testing.Eventually;
import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;

/**
 * The shop's one switch for mutual TLS ({@code chassis.profile=mtls}): inventory and orders, each in its own JVM with
 * the certificates the demo writes, serve only TLS with client certificates, orders reserves stock from inventory
 * over gRPC presenting its own certificate (inventory's rule for Reserve names orders' workload identity), and a
 * caller without a certificate is refused at the handshake.
 */
class ShopMtlsTest {
    @Test
    @Timeout(300)
    void withTheMtlsProfileAnOrderReservesOverMutualTlsAndACallerWithoutACertificateIsRefused() throws Exception {
        try (ShopSystem shop = ShopSystem.startWithoutKafka(List.of("inventory", "orders"), true, System.out)) {
            assertThat(shop.uri("orders").getScheme()).isEqualTo("https");
            TestClient inventory = shop.client("inventory");
            assertThat(inventory.put("/stock/pen", "{\"quantity\":5}").status()).isEqualTo(200);

            String trace = UUID.randomUUID().toString().replace("-", "");
            TestResponse placed = shop.client("orders").post("/orders", "{\"customer\":\"ada\",\"sku\":\"pen\",\"quantity\":2}",
                    "Authorization", "Bearer " + shop.provider().userToken("ada", "orders:write"),
                    "traceparent", "00-" + trace + "-00f067aa0ba902b7-01");
            assertThat(placed.status()).as(placed.body()).isEqualTo(201);
            // with the profile, Reserve's rule names orders' workload identity (application-mtls.yaml); orders' token
            // still goes along, so inventory records its client id
            assertThat(inventory.get("/stock/reservations/" + placed.json().path("id").asText()).json()
                    .path("reservedBy").asText()).isEqualTo("orders");
            assertThat(inventory.get("/stock/pen").json().path("quantity").asInt()).isEqualTo(3);
            // inventory requires a client certificate, so the reservation above went over mutual TLS with orders' own;
            // orders' server span names its verified caller: the demo's certificate
            TestResponse spans = Eventually.within(Duration.ofSeconds(30)).get("orders recorded the request span",
                    () -> shop.client("orders").get("/observe/traces/" + trace), r -> r.body().contains("POST /orders"));
            assertThat(spans.body()).contains("\"chassis.peer.identity\":\"spiffe://shop/demo\"");
            // and inventory's gRPC server span names orders, whose certificate the reservation presented
            String reserved = Eventually.within(Duration.ofSeconds(30)).get("inventory recorded the reservation",
                    () -> inventory.get("/observe/traces/" + trace).body(), b -> b.contains("Inventory/Reserve"));
            assertThat(reserved).contains("\"chassis.peer.identity\":\"spiffe://shop/orders\"");

            // no client certificate (but trusting the shop's CA): refused at the handshake, on both services
            for (String service : List.of("orders", "inventory")) {
                TestClient anonymous = new TestClient(shop.uri(service), shop.authority().clientContext());
                assertThatThrownBy(() -> anonymous.get("/health/ready")).as(service)
                        .isInstanceOf(UncheckedIOException.class);
            }
            // and plaintext HTTP on the TLS port gets no answer
            assertThatThrownBy(() -> new TestClient(URI.create("http://127.0.0.1:" + shop.uri("orders").getPort()))
                    .get("/health/ready")).isInstanceOf(RuntimeException.class);
        }
    }
}
