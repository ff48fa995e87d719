package dev.chassis.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chassis.core.Chassis;
import dev.chassis.core.Problem;
import dev.chassis.core.http.Client;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.TestResponse;
import dev.chassis.testing.TestService;
import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoReply;
import dev.chassis.tests.grpc.proto.EchoRequest;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.api.trace.Span;

/**
 * Two real services on real sockets: an HTTP request into "orders", which calls "stock" over gRPC and over
 * HTTP, is one trace with the right parent/child links; and both services' {@code /metrics} carry the
 * request, call and JVM series and pass {@code promtool check metrics}.
 */
class TwoServicesTest {
    public record Stock(String sku, int quantity, String traceId) {
    }

    public record PlacedOrder(String id, Stock stock, String echoed, String traceId) {
    }

    @Client("stock")
    @Path("/stock")
    public interface StockApi {
        @Get
        @Path("/{sku}")
        Stock stock(@PathParam("sku") String sku);
    }

    @Path("/stock")
    public static final class StockService implements StockApi {
        @Override
        public Stock stock(String sku) {
            if (sku.equals("none")) {
                throw Problem.notFound("no such sku");
            }
            return new Stock(sku, 7, Span.current().getSpanContext().getTraceId());
        }
    }

    static final class Echo extends EchoGrpc.EchoImplBase {
        @Override
        public void say(EchoRequest request, StreamObserver<EchoReply> out) {
            if (request.getText().equals("boom")) {
                throw new IllegalStateException("boom");
            }
            // the handler sees its call's span
            out.onNext(EchoReply.newBuilder().setText(request.getText() + "@" + Span.current().getSpanContext().getTraceId())
                    .build());
            out.onCompleted();
        }
    }

    @Path("/orders")
    public static final class Orders {
        private final StockApi stock;
        private final Channel channel;

        Orders(StockApi stock, Channel channel) {
            this.stock = stock;
            this.channel = channel;
        }

        @Get
        @Path("/{id}/stock/{sku}")
        public Stock stockOf(@PathParam("id") String id, @PathParam("sku") String sku) {
            return stock.stock(sku);
        }

        @Get
        @Path("/{id}")
        public PlacedOrder order(@PathParam("id") String id) {
            EchoReply reply = EchoGrpc.newBlockingStub(channel).say(EchoRequest.newBuilder().setText(id).build());
            return new PlacedOrder(id, stock.stock("pen"), reply.getText(), Span.current().getSpanContext().getTraceId());
        }
    }

    @Path("/failing")
    public static final class Failing {
        @Get
        public String fail() {
            throw new IllegalStateException("the handler failed");
        }
    }

    @RegisterExtension
    @Order(1)
    static final TestService stock = TestService.of(() -> Chassis.service("stock").http(new StockService())
            .grpc(new Echo()));

    @RegisterExtension
    @Order(2) // starts after stock, whose address it needs
    static final TestService orders = TestService.of(() -> {
        var b = Chassis.service("orders").version("1.2.3").property("clients.stock.url", stock.uri().toString());
        return b.http(new Orders(b.client(StockApi.class), b.grpcChannel("stock"))).http(new Failing());
    });

    @Test
    void oneTraceAcrossHttpGrpcAndHttp() {
        TestResponse r = orders.client().get("/orders/o-1");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        PlacedOrder order = r.as(PlacedOrder.class);
        String traceId = order.traceId();
        assertThat(order.stock().traceId()).isEqualTo(traceId);
        assertThat(order.echoed()).isEqualTo("o-1@" + traceId);

        List<JsonNode> a = spans(orders, traceId, 3);
        List<JsonNode> b = spans(stock, traceId, 2);
        JsonNode root = one(a, "SERVER", "GET /orders/{id}");
        assertThat(root.get("parentSpanId")).isNull(); // the request carried no context: orders starts the trace
        assertThat(root.at("/attributes/http.route").asText()).isEqualTo("/orders/{id}");
        assertThat(root.at("/attributes/http.response.status_code").asLong()).isEqualTo(200);
        JsonNode httpCall = one(a, "CLIENT", "GET /stock/{sku}");
        JsonNode grpcCall = one(a, "CLIENT", "chassis.test.Echo/Say");
        assertThat(httpCall.get("parentSpanId").asText()).isEqualTo(root.get("spanId").asText());
        assertThat(grpcCall.get("parentSpanId").asText()).isEqualTo(root.get("spanId").asText());
        assertThat(httpCall.at("/attributes/peer.service").asText()).isEqualTo("stock");

        JsonNode httpServed = one(b, "SERVER", "GET /stock/{sku}");
        JsonNode grpcServed = one(b, "SERVER", "chassis.test.Echo/Say");
        assertThat(httpServed.get("parentSpanId").asText()).isEqualTo(httpCall.get("spanId").asText());
        assertThat(grpcServed.get("parentSpanId").asText()).isEqualTo(grpcCall.get("spanId").asText());
        assertThat(grpcServed.at("/attributes/rpc.system").asText()).isEqualTo("grpc");
        assertThat(grpcServed.at("/attributes/rpc.method").asText()).isEqualTo("Say");
        assertThat(grpcServed.at("/attributes/rpc.grpc.status_code").asLong()).isZero();
        assertThat(grpcServed.get("service").asText()).isEqualTo("stock");

        JsonNode recent = orders.client().get("/observe/traces").json();
        assertThat(recent.get("service").asText()).isEqualTo("orders");
        assertThat(recent.get("traces")).anySatisfy(t -> {
            assertThat(t.get("traceId").asText()).isEqualTo(traceId);
            assertThat(t.get("root").asText()).isEqualTo("GET /orders/{id}");
            assertThat(t.get("spanCount").asInt()).isEqualTo(3);
            assertThat(t.get("status").asText()).isEqualTo("OK");
            assertThat(t.get("durationMs").asDouble()).isPositive();
        });
    }

    @Test
    void aFailedRequestIsAnErrorSpanAndTheProblemCarriesItsTraceId() {
        TestResponse r = orders.client().get("/nowhere");
        assertThat(r.status()).isEqualTo(404);
        String traceId = r.json().get("traceId").asText();
        JsonNode span = one(spans(orders, traceId, 1), "SERVER", "GET");
        assertThat(span.get("status").asText()).isEqualTo("UNSET"); // 4xx is the client's fault, not the server's
        assertThat(span.at("/attributes/http.response.status_code").asLong()).isEqualTo(404);
        assertThat(span.at("/attributes/http.route").isMissingNode()).isTrue();
    }

    @Test
    void failuresAreErrorSpans() throws Exception {
        // a handler's exception: a 500 whose span is an error carrying the exception
        TestResponse failed = orders.client().get("/failing");
        assertThat(failed.status()).isEqualTo(500);
        String traceId = failed.json().get("traceId").asText();
        JsonNode server = one(spans(orders, traceId, 1), "SERVER", "GET /failing");
        assertThat(server.get("status").asText()).isEqualTo("ERROR");
        assertThat(server.at("/attributes/error.type").asText()).isEqualTo("500");
        assertThat(server.get("events")).anySatisfy(e -> {
            assertThat(e.get("name").asText()).isEqualTo("exception");
            assertThat(e.at("/attributes/exception.type").asText()).isEqualTo("java.lang.IllegalStateException");
        });

        // a call answered 404: the client span is an error, the server's is not
        TestResponse missing = orders.client().get("/orders/o-3/stock/none");
        String missingTrace = missing.json().get("traceId").asText();
        JsonNode call = one(spans(orders, missingTrace, 2), "CLIENT", "GET /stock/{sku}");
        assertThat(call.get("status").asText()).isEqualTo("ERROR");
        assertThat(call.at("/attributes/http.response.status_code").asLong()).isEqualTo(404);
        assertThat(call.at("/attributes/error.type").asText()).isEqualTo("404");
        assertThat(one(spans(stock, missingTrace, 1), "SERVER", "GET /stock/{sku}").get("status").asText())
                .isEqualTo("UNSET");

        // a gRPC handler's exception: INTERNAL, an error on the server span
        ManagedChannel raw = ManagedChannelBuilder.forAddress("127.0.0.1", stock.port()).usePlaintext()
                .build();
        try {
            String grpcTrace = "6bf92f3577b34da6a3ce929d0e0e4736";
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER),
                    "00-" + grpcTrace + "-00f067aa0ba902b7-01");
            var stub = EchoGrpc.newBlockingStub(raw).withInterceptors(
                    MetadataUtils.newAttachHeadersInterceptor(headers));
            Assertions.assertThatThrownBy(() -> stub.say(EchoRequest.newBuilder().setText("boom")
                    .build())).isInstanceOf(StatusRuntimeException.class).hasMessageContaining("INTERNAL")
                    .hasMessageContaining(grpcTrace); // the error quotes the call's own trace id
            JsonNode served = one(spans(stock, grpcTrace, 1), "SERVER", "chassis.test.Echo/Say");
            assertThat(served.get("status").asText()).isEqualTo("ERROR");
            assertThat(served.at("/attributes/rpc.grpc.status_code").asLong()).isEqualTo(13);
            assertThat(served.get("parentSpanId").asText()).isEqualTo("00f067aa0ba902b7");
        } finally {
            raw.shutdownNow();
        }
    }

    @Test
    void activeRequestsCountTheScrapeItself() {
        // waited for: an earlier request leaves the gauge just after its answer, so a scrape may still count it
        Eventually.within(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(orders.client().get("/metrics").body())
                .contains("http_server_active_requests{http_request_method=\"GET\",url_scheme=\"http\"} 1\n"));
    }

    @Test
    void metricsCarryRequestsCallsAndTheJvm() {
        assertThat(orders.client().get("/orders/o-2").status()).isEqualTo(200);
        // a request's duration is recorded just after its answer (HTTP here, the gRPC call in stock below): wait for it
        String text = Eventually.within(Duration.ofSeconds(10)).get("the request to /orders/{id} counted",
                () -> orders.client().get("/metrics").body(), t -> t.lines().anyMatch(l -> l.matches(
                        "http_server_request_duration_seconds_count\\{[^}]*http_route=\"/orders/\\{id}\"[^}]*} [1-9].*")));
        assertThat(text).contains("target_info{")
                .contains("service_name=\"orders\"").contains("service_version=\"1.2.3\"").contains("service_instance_id=\"orders-")
                .contains("# TYPE http_server_request_duration_seconds histogram")
                .containsPattern("http_server_request_duration_seconds_bucket\\{[^}]*http_request_method=\"GET\""
                        + "[^}]*http_response_status_code=\"200\"[^}]*http_route=\"/orders/\\{id}\"[^}]*le=\"0.005\"}")
                .containsPattern("http_server_request_duration_seconds_count\\{[^}]*http_route=\"/orders/\\{id}\"[^}]*} [1-9]")
                .contains("# TYPE http_server_active_requests gauge")
                .containsPattern("http_client_request_duration_seconds_count\\{[^}]*peer_service=\"stock\"[^}]*} [1-9]")
                .containsPattern("rpc_client_call_duration_seconds_count\\{[^}]*rpc_grpc_status_code=\"0\",rpc_method=\"Say\""
                        + ",rpc_service=\"chassis.test.Echo\",rpc_system=\"grpc\"} [1-9]")
                .containsPattern("jvm_memory_used_bytes\\{jvm_memory_pool_name=\"[^\"]+\",jvm_memory_type=\"heap\"} [1-9]")
                .contains("jvm_thread_current{jvm_thread_daemon=\"true\"}")
                .contains("# TYPE jvm_cpu_time_seconds_total counter")
                .contains("jvm_cpu_current ");
        // a collection is counted once the JVM has had one since the metrics started: this JVM may not have had any yet
        System.gc();
        Eventually.within(Duration.ofSeconds(10)).get("a collection counted", () -> orders.client().get("/metrics").body(),
                t -> t.contains("jvm_gc_duration_seconds_count{"));
        String served = Eventually.within(Duration.ofSeconds(10)).get("the call to Say counted",
                () -> stock.client().get("/metrics").body(), t -> t.lines().anyMatch(l -> l.matches(
                        "rpc_server_call_duration_seconds_count\\{[^}]*rpc_method=\"Say\"[^}]*} [1-9].*")));
        assertThat(served).containsPattern("rpc_server_call_duration_seconds_count\\{[^}]*rpc_method=\"Say\"[^}]*} [1-9]");
        promtoolAccepts(text);
        promtoolAccepts(served);
    }

    @Test
    void openMetricsWhenAsked() {
        TestResponse r = orders.client().get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0");
        assertThat(r.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/openmetrics-text"));
        assertThat(r.body()).endsWith("# EOF\n").contains("# TYPE jvm_cpu_time_seconds counter")
                .contains("jvm_cpu_time_seconds_total ").contains("# TYPE target info");
        TestResponse plain = orders.client().get("/metrics");
        assertThat(plain.header("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    }

    @Test
    void badQueriesOfTheTraceStoreAreProblems() {
        assertThat(orders.client().get("/observe/traces?limit=0").status()).isEqualTo(400);
        assertThat(orders.client().get("/observe/traces?limit=1001").status()).isEqualTo(400);
        assertThat(orders.client().get("/observe/traces?limit=ten").status()).isEqualTo(400);
        assertThat(orders.client().get("/observe/traces?status=broken").status()).isEqualTo(400);
        TestResponse notAnId = orders.client().get("/observe/traces/xyz");
        assertThat(notAnId.status()).isEqualTo(400);
        assertThat(notAnId.header("Content-Type")).hasValue("application/problem+json");
        assertThat(orders.client().get("/observe/traces/" + "a".repeat(32)).status()).isEqualTo(404);
        assertThat(orders.client().get("/observe/traces?status=error&limit=5").json().get("traces").isArray()).isTrue();
    }

    /** The trace's spans in a service's store, once it holds {@code count}: a server span ends just after its answer. */
    static List<JsonNode> spans(TestService service, String traceId, int count) {
        List<JsonNode> spans = Eventually.within(Duration.ofSeconds(10)).get(count + " spans of " + traceId, () -> {
            TestResponse r = service.client().get("/observe/traces/" + traceId);
            List<JsonNode> found = new ArrayList<>();
            if (r.status() == 200) {
                r.json().get("spans").forEach(found::add);
            }
            return found;
        }, found -> found.size() >= count);
        assertThat(spans).as("spans of " + traceId).hasSize(count);
        return spans;
    }

    static JsonNode one(List<JsonNode> spans, String kind, String name) {
        List<JsonNode> found = spans.stream()
                .filter(s -> s.get("kind").asText().equals(kind) && s.get("name").asText().equals(name)).toList();
        assertThat(found).as(kind + " " + name + " in " + spans).hasSize(1);
        return found.get(0);
    }

    /** {@code promtool check metrics}: the Debian package prometheus; skipped without it, except under CI. */
    static void promtoolAccepts(String metrics) {
        File promtool = new File("/usr/bin/promtool");
        if (!promtool.canExecute()) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("promtool is missing under CI=true: .ci/run installs the prometheus package");
            }
            Assumptions.abort("promtool is not installed (apt-get install prometheus): the format check is skipped");
        }
        try {
            Process p = new ProcessBuilder(promtool.getPath(), "check", "metrics").redirectErrorStream(true).start();
            p.getOutputStream().write(metrics.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("promtool check metrics said:\n" + out).isZero();
            assertThat(out).as("promtool lint findings").isBlank();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
