package dev.chassis.samples.shop.demo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;

/**
 * The scripted scenario: stock a book, place an order with a user's token (with an Idempotency-Key and a trace id of
 * our own), retry it, try one that cannot be served, see calls without a token or without the scope refused, see the
 * notification arrive and the stock go down (reserved by orders' own client-credentials token), then print the one
 * trace that spans the three services. Each step prints what happened; a step that does not go as it should throws.
 */
public final class Scenario {
    private final ShopSystem shop;
    private final PrintStream out;
    private final TestClient orders;
    private final TestClient inventory;
    private final TestClient notifications;

    public Scenario(ShopSystem shop, PrintStream out) {
        this.shop = shop;
        this.out = out;
        this.orders = shop.client("orders");
        this.inventory = shop.client("inventory");
        this.notifications = shop.client("notifications");
    }

    /** What the scenario saw. */
    public record Result(String orderId, String traceId, List<JsonNode> spans) {
    }

    private void step(String what, TestResponse r) {
        out.printf("  -> %d %s%n", r.status(), r.body().length() > 160 ? r.body().substring(0, 160) + "..." : r.body());
        if (what != null) {
            throw new IllegalStateException(what + ": " + r.status() + " " + r.body());
        }
    }

    public Result run() throws InterruptedException {
        out.println("\n1. inventory: stock 5 copies of 'book' (HTTP admin API)");
        TestResponse r = inventory.put("/stock/book", "{\"quantity\":5}");
        step(r.status() == 200 ? null : "stocking failed", r);

        String trace = UUID.randomUUID().toString().replace("-", "");
        String key = UUID.randomUUID().toString();
        String bearer = "Bearer " + shop.provider().userToken("ada", "orders:write");
        out.println("\n2. orders: ada places an order for 2 books (POST /orders with her token, scope orders:write,"
                + " Idempotency-Key " + key + ", trace " + trace + ")");
        out.println("   orders reserves the stock from inventory over gRPC with its own client-credentials token, then"
                + " writes the order and its event in one transaction");
        String order = "{\"customer\":\"ada\",\"sku\":\"book\",\"quantity\":2}";
        r = orders.post("/orders", order, "Authorization", bearer, "Idempotency-Key", key,
                "traceparent", "00-" + trace + "-00f067aa0ba902b7-01");
        step(r.status() == 201 ? null : "placing the order failed", r);
        String orderId = r.json().get("id").asText();

        out.println("\n3. orders: the client retries the same request with the same key (as after a timeout)");
        TestResponse again = orders.post("/orders", order, "Authorization", bearer, "Idempotency-Key", key);
        step(again.status() == 201 && again.body().equals(r.body())
                && again.header("Idempotent-Replayed").isPresent() ? null : "the retry was not answered once", again);
        out.println("   the stored answer, Idempotent-Replayed: " + again.header("Idempotent-Replayed").orElse("-")
                + " — no second order, no second reservation");

        out.println("\n4. orders: an order for 10 books, more than there are");
        r = orders.post("/orders", "{\"customer\":\"bob\",\"sku\":\"book\",\"quantity\":10}", "Authorization", bearer);
        step(r.status() == 409 ? null : "an order beyond the stock was not refused", r);

        out.println("\n5. orders: refused calls — no token, then a token of bob's without the scope orders:write");
        r = orders.post("/orders", order);
        out.println("   WWW-Authenticate: " + r.header("WWW-Authenticate").orElse("-"));
        step(r.status() == 401 ? null : "a call without a token was not refused with 401", r);
        r = orders.post("/orders", order, "Authorization", "Bearer " + shop.provider().userToken("bob", "orders:read"));
        out.println("   WWW-Authenticate: " + r.header("WWW-Authenticate").orElse("-"));
        step(r.status() == 403 && r.header("WWW-Authenticate").orElse("").contains("insufficient_scope") ? null
                : "a token without orders:write was not refused with 403 insufficient_scope", r);

        out.println("\n6. notifications: the event came through the outbox and Kafka; the inbox applied it once");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!notifications.get("/notifications").body().contains(orderId)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no notification for order " + orderId + " after 60 s");
            }
            Thread.sleep(50);
        }
        r = notifications.get("/notifications");
        step(null, r);

        out.println("\n7. inventory: the stock went down once (5 - 2), reserved by orders' own token (its client id)");
        r = inventory.get("/stock/book");
        step(r.json().path("quantity").asInt() == 3 ? null : "the stock is not 3", r);
        r = inventory.get("/stock/reservations/" + orderId);
        step("orders".equals(r.json().path("reservedBy").asText()) ? null : "the reservation was not made by orders", r);

        out.println("\n8. the trace " + trace + ", across the three services:");
        List<JsonNode> spans = trace(trace);
        print(spans);
        return new Result(orderId, trace, spans);
    }

    /** The trace's spans from the three services' trace stores (until the consumer's span is in). */
    public List<JsonNode> trace(String trace) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            List<JsonNode> spans = new ArrayList<>();
            for (String service : ShopSystem.SERVICES) {
                TestResponse r = shop.client(service).get("/observe/traces/" + trace);
                if (r.status() == 200) {
                    r.json().path("spans").forEach(spans::add);
                }
            }
            Set<String> services = new HashSet<>();
            spans.forEach(s -> services.add(s.path("service").asText()));
            boolean consumed = spans.stream().anyMatch(s -> s.path("name").asText().startsWith("process "));
            if ((services.size() == 3 && consumed) || System.nanoTime() > deadline) {
                spans.sort(Comparator.comparing(s -> s.path("start").asText()));
                return spans;
            }
            Thread.sleep(100);
        }
    }

    private void print(List<JsonNode> spans) {
        Map<String, List<JsonNode>> children = new HashMap<>();
        Set<String> ids = new HashSet<>();
        spans.forEach(s -> ids.add(s.path("spanId").asText()));
        List<JsonNode> roots = new ArrayList<>();
        for (JsonNode s : spans) {
            String parent = s.path("parentSpanId").asText("");
            if (ids.contains(parent)) {
                children.computeIfAbsent(parent, p -> new ArrayList<>()).add(s);
            } else {
                roots.add(s);
            }
        }
        roots.forEach(r -> print(r, children, 1));
    }

    private void print(JsonNode span, Map<String, List<JsonNode>> children, int depth) {
        out.printf("%s%-14s %-40s %-8s %8.2f ms%n", "   ".repeat(depth), span.path("service").asText(),
                span.path("name").asText(), span.path("kind").asText(), span.path("durationMs").asDouble());
        children.getOrDefault(span.path("spanId").asText(), List.of()).forEach(c -> print(c, children, depth + 1));
    }
}
