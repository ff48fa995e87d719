package dev.chassis.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.config.Setting;
import dev.chassis.core.http.Client;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;
import dev.chassis.testing.TestService;
import io.opentelemetry.api.trace.Span;

/**
 * The console's JSON over real sockets: "orders" (console on its management port) calls "stock" (no management port);
 * the configuration with sources and a masked secret, the metrics of a route, one trace joined across both services'
 * stores, the service map, and what the console answers for a bad trace id, an unknown one and a peer that is down.
 */
class ConsoleApiTest {
    static final Setting<String> API_KEY = Setting.string("payments.api-key", null).secret()
            .describedAs("the payment provider's key");
    static final int CLOSED_PORT = closedPort();

    @Client("stock")
    @Path("/stock")
    public interface StockApi {
        @Get
        @Path("/{sku}")
        String stock(@PathParam("sku") String sku);
    }

    @Path("/stock")
    public static final class StockService implements StockApi {
        @Override
        public String stock(String sku) {
            return sku + " 7";
        }
    }

    @Path("/orders")
    public static final class Orders {
        private final StockApi stock;

        Orders(StockApi stock) {
            this.stock = stock;
        }

        @Get
        @Path("/{id}")
        public String order(@PathParam("id") String id) {
            return id + " " + stock.stock("pen") + " " + Span.current().getSpanContext().getTraceId();
        }
    }

    @RegisterExtension
    @Order(1)
    static final TestService stock = TestService.of(() -> Chassis.service("stock").http(new StockService()));

    @RegisterExtension
    @Order(2)
    static final TestService orders = TestService.of(() -> {
        var b = Chassis.service("orders").version("2.0.1").property("management.port", "0")
                .property("clients.stock.url", stock.uri().toString())
                .settings(API_KEY).property(API_KEY.key(), "sk-live-123");
        return b.http(new Orders(b.client(StockApi.class)));
    });

    /** A service whose configured peers are down: one refuses connections, one nothing knows. */
    @RegisterExtension
    @Order(3)
    static final TestService lonely = TestService.of(() -> Chassis.service("lonely")
            .property("clients.gone.url", "http://127.0.0.1:" + CLOSED_PORT)
            .property("observability.console.peers", "gone, nowhere")
            .http(new StockService()));

    @Test
    void thePageAndItsFilesAreServedOnTheManagementPort() {
        TestResponse page = orders.managementClient().get("/console");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("content-type").orElseThrow()).startsWith("text/html");
        assertThat(page.body()).contains("<script src=\"/console/console.js\">");
        assertThat(page.header("content-security-policy").orElseThrow()).contains("default-src 'self'")
                .contains("frame-ancestors 'none'");
        assertThat(page.header("x-content-type-options")).hasValue("nosniff");
        assertThat(page.header("x-frame-options")).hasValue("DENY");
        assertThat(orders.managementClient().get("/console/console.js").body()).contains("function waterfall(");
        assertThat(orders.managementClient().get("/console/console.css").status()).isEqualTo(200);
        assertThat(orders.client().get("/console").status()).as("not on the service port").isEqualTo(404);
    }

    @Test
    void serviceSaysWhoItIs() {
        JsonNode about = orders.managementClient().get("/console/api/service").json();
        assertThat(about.get("name").asText()).isEqualTo("orders");
        assertThat(about.get("version").asText()).isEqualTo("2.0.1");
        assertThat(about.get("instanceId").asText()).startsWith("orders-");
        assertThat(about.get("traceStore").asBoolean()).isTrue();
    }

    @Test
    void withTheTraceStoreOffTheConsoleSaysSoAndTracesAnswer404() {
        RunningService off = Chassis.service("quiet").property("server.port", "0").property("management.port", "0")
                .property("observability.tracing.store.enabled", "false").start();
        try {
            TestClient management = new TestClient(off.managementUri());
            assertThat(management.get("/console/api/service").json().get("traceStore").asBoolean()).isFalse();
            TestResponse traces = management.get("/observe/traces");
            assertThat(traces.status()).isEqualTo(404);
            assertThat(traces.json().get("detail").asText()).contains("observability.tracing.store.enabled");
            assertThat(management.get("/console/console.js").body()).contains("the trace store is off");
        } finally {
            off.stop();
        }
    }

    @Test
    void configurationShowsEverySettingWithItsSourceAndMasksSecrets() {
        JsonNode settings = orders.managementClient().get("/console/api/config").json().get("settings");
        assertThat(setting(settings, "payments.api-key").get("value").asText()).isEqualTo(Setting.MASK);
        assertThat(setting(settings, "payments.api-key").get("secret").asBoolean()).isTrue();
        assertThat(settings.toString()).doesNotContain("sk-live-123");
        assertThat(setting(settings, "clients.stock.url").get("value").asText()).isEqualTo(stock.uri().toString());
        assertThat(setting(settings, "clients.stock.url").get("source").asText()).startsWith("code");
        assertThat(setting(settings, "server.shutdown.delay").get("source").asText()).isEqualTo("default");
        assertThat(setting(settings, "observability.console.enabled").get("value").asText()).isEqualTo("true");
    }

    @Test
    void metricsCarryEachRoute() {
        assertThat(stock.client().get("/stock/ink").status()).isEqualTo(200);
        // waited for: a request's duration is recorded just after its answer
        Eventually.within(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode series = stock.managementClient().get("/console/api/metrics").json().get("series");
            assertThat(series).anySatisfy(s -> {
                assertThat(s.get("name").asText()).isEqualTo("http.server.request.duration");
                assertThat(s.at("/attributes/http.route").asText()).isEqualTo("/stock/{sku}");
                assertThat(s.get("count").asLong()).isPositive();
                assertThat(s.get("bounds").size() + 1).isEqualTo(s.get("counts").size());
            });
        });
    }

    @Test
    void aTraceIsJoinedAcrossServices() {
        String traceId = order("o-1");
        JsonNode joined = Eventually.within(Duration.ofSeconds(10)).get("both services' spans",
                () -> orders.managementClient().get("/console/api/trace/" + traceId).json(),
                j -> j.path("spans").size() == 3);
        assertThat(joined.get("services")).extracting(JsonNode::asText).containsExactly("orders", "stock");
        assertThat(joined.get("unreached")).isEmpty();
        JsonNode call = span(joined, "orders", "CLIENT");
        JsonNode served = span(joined, "stock", "SERVER");
        assertThat(served.get("parentSpanId").asText()).isEqualTo(call.get("spanId").asText());
        assertThat(span(joined, "orders", "SERVER").get("spanId").asText()).isEqualTo(call.get("parentSpanId").asText());
    }

    @Test
    void theMapShowsTheCallsBetweenServices() {
        order("o-2");
        JsonNode map = orders.managementClient().get("/console/api/map").json();
        assertThat(map.get("services")).extracting(JsonNode::asText).containsExactly("orders", "stock");
        assertThat(map.get("edges")).anySatisfy(e -> {
            assertThat(e.get("from").asText()).isEqualTo("orders");
            assertThat(e.get("to").asText()).isEqualTo("stock");
            assertThat(e.get("protocol").asText()).isEqualTo("http");
            assertThat(e.get("calls").asLong()).isPositive();
        });
        assertThat(map.get("unreached")).isEmpty();
    }

    @Test
    void aMalformedTraceIdIs400() {
        for (String id : new String[] {"abc", "0af7651916cd43dd8448eb211c80319G", "0AF7651916CD43DD8448EB211C80319C",
                "0".repeat(32)}) {
            TestResponse r = orders.managementClient().get("/console/api/trace/" + id);
            assertThat(r.status()).as(id).isEqualTo(400);
            assertThat(r.json().get("detail").asText()).contains("32 lower-case hex digits");
        }
    }

    @Test
    void anUnknownTraceIs404() {
        TestResponse r = orders.managementClient().get("/console/api/trace/" + "ab".repeat(16));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().get("detail").asText()).contains("no span of trace " + "ab".repeat(16));
    }

    @Test
    void peersThatCannotBeReachedAreNamedAndTheRestIsShown() {
        assertThat(lonely.client().get("/stock/pen").status()).isEqualTo(200);
        String id = Eventually.within(Duration.ofSeconds(10)).get("the request's trace in lonely's store", () -> {
            for (JsonNode t : lonely.client().get("/observe/traces").json().path("traces")) {
                if (t.get("root").asText().equals("GET /stock/{sku}")) {
                    return t.get("traceId").asText();
                }
            }
            return "";
        }, t -> !t.isEmpty());
        JsonNode joined = Eventually.within(Duration.ofSeconds(10)).get("lonely's span", () -> lonely.client()
                .get("/console/api/trace/" + id), r -> r.status() == 200).json();
        assertThat(joined.get("spans")).hasSize(1);
        assertThat(joined.get("unreached")).anySatisfy(u -> {
            assertThat(u.get("service").asText()).isEqualTo("gone");
            assertThat(u.get("uri").asText()).isEqualTo("http://127.0.0.1:" + CLOSED_PORT + "/observe/traces/" + id);
            assertThat(u.get("reason").asText()).isEqualTo("connection refused");
        });
        assertThat(joined.get("unreached")).anySatisfy(u -> {
            assertThat(u.get("service").asText()).isEqualTo("nowhere");
            assertThat(u.get("reason").asText()).isEqualTo("unknown: neither discovery nor clients.nowhere.url names it");
        });

        JsonNode map = lonely.client().get("/console/api/map").json();
        assertThat(map.get("services")).extracting(JsonNode::asText).contains("lonely", "gone", "nowhere");
        assertThat(map.get("unreached")).extracting(u -> u.get("service").asText()).contains("gone", "nowhere");
    }

    private static String order(String id) {
        TestResponse r = orders.client().get("/orders/" + id);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String body = r.body().replace("\"", "");
        return body.substring(body.lastIndexOf(' ') + 1);
    }

    private static JsonNode setting(JsonNode settings, String key) {
        for (JsonNode s : settings) {
            if (s.get("key").asText().equals(key)) {
                return s;
            }
        }
        throw new AssertionError("no setting " + key + " in " + settings);
    }

    private static JsonNode span(JsonNode joined, String service, String kind) {
        for (JsonNode s : joined.get("spans")) {
            if (s.get("service").asText().equals(service) && s.get("kind").asText().equals(kind)) {
                return s;
            }
        }
        throw new AssertionError("no " + kind + " span of " + service + " in " + joined);
    }

    private static int closedPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
