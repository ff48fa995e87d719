package dev.chassis.discovery;

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
import dev.chassis.core.http.Client;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.TestResponse;
import dev.chassis.testing.TestService;
import io.opentelemetry.api.trace.Span;

/**
 * The console finds the other services of a trace through discovery: "orders" knows "stock" only from the registry
 * (static back-end, in-JVM registration; no {@code clients.stock.url}), and reaches stock's trace store on the
 * management port every service uses ({@code observability.console.peer-port}).
 */
class ConsoleDiscoveryTest {
    static final int STOCK_MANAGEMENT_PORT = freePort();

    @Client("console-stock")
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
            return sku;
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
            return stock.stock(id) + " " + Span.current().getSpanContext().getTraceId();
        }
    }

    @RegisterExtension
    @Order(1)
    static final TestService stock = TestService.of(() -> Chassis.service("console-stock")
            .property("management.port", Integer.toString(STOCK_MANAGEMENT_PORT))
            .property("discovery.advertise-host", "127.0.0.1").http(new StockService()));

    @RegisterExtension
    @Order(2)
    static final TestService orders = TestService.of(() -> {
        var b = Chassis.service("console-orders").property("management.port", "0").property("discovery.register", "false")
                .property("observability.console.peer-port", Integer.toString(STOCK_MANAGEMENT_PORT));
        return b.http(new Orders(b.client(StockApi.class)));
    });

    @Test
    void theTraceIsJoinedWithAPeerFoundThroughDiscoveryOnItsManagementPort() {
        TestResponse r = orders.client().get("/orders/o-1");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String body = r.body().replace("\"", "");
        String traceId = body.substring(body.lastIndexOf(' ') + 1);
        JsonNode joined = Eventually.within(Duration.ofSeconds(10)).get("both services' spans",
                () -> orders.managementClient().get("/console/api/trace/" + traceId).json(),
                j -> j.path("spans").size() == 3);
        assertThat(joined.get("services")).extracting(JsonNode::asText).containsExactly("console-orders", "console-stock");
        assertThat(joined.get("unreached")).isEmpty();
        assertThat(stock.client().get("/observe/traces/" + traceId).status()).as("the store is on the management port only")
                .isEqualTo(404);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
