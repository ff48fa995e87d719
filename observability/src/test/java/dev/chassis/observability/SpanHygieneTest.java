package dev.chassis.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.http.Client;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.core.http.QueryParam;
import dev.chassis.observability.spi.SpanRedactor;
import dev.chassis.testing.CapturedSpans;
import dev.chassis.testing.StartFailure;
import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;
import io.opentelemetry.api.trace.Span;

/**
 * What spans keep, over real sockets: route templates rather than raw paths (unless asked), never a query string,
 * exception messages and stack traces only where the store is served on the management port, attribute values cut
 * at the span limits, and the application's redactions before the store, the log and the OTLP exporter see a span.
 */
class SpanHygieneTest {
    private static final String USER = "ann@example.com";
    private static final String SECRET = "s3cret-token";

    public record Stock(String sku) {
    }

    @Client("stock")
    @Path("/stock")
    public interface StockApi {
        @Get
        @Path("/{sku}")
        Stock stock(@PathParam("sku") String sku, @QueryParam("token") String token);
    }

    @Path("/orders")
    public static final class Orders {
        private final StockApi stock;

        Orders(StockApi stock) {
            this.stock = stock;
        }

        @Get
        @Path("/{id}")
        public Stock order(@PathParam("id") String id, @QueryParam(value = "email", defaultValue = "nobody") String email) {
            Span.current().setAttribute("enduser.id", email).setAttribute("order.note", "n".repeat(10_000));
            return stock.stock(id, SECRET);
        }

        @Get
        @Path("/failing/{id}")
        public Stock fail(@PathParam("id") String id) {
            throw new IllegalStateException("card 4111 1111 1111 1111 of " + id);
        }
    }

    /** The downstream service: a JDK HTTP server that answers every GET /stock/{sku} with the sku. */
    private HttpServer downstream;
    /** A stand-in for an OTLP collector: what it was posted, as bytes (protobuf carries strings as UTF-8). */
    private HttpServer collector;
    private final List<String> exported = new ArrayList<>();

    @BeforeEach
    void servers() throws IOException {
        downstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        downstream.createContext("/stock/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body = ("{\"sku\":\"" + path.substring(path.lastIndexOf('/') + 1) + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        downstream.start();
        collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            synchronized (exported) {
                exported.add(new String(body, StandardCharsets.ISO_8859_1));
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
    }

    @AfterEach
    void stopServers() {
        downstream.stop(0);
        collector.stop(0);
    }

    private ServiceBuilder service(String name, String... properties) {
        var b = Chassis.service(name).property("server.port", "0").property("server.shutdown.delay", "0s")
                .property("clients.stock.url", "http://127.0.0.1:" + downstream.getAddress().getPort());
        for (int i = 0; i < properties.length; i += 2) {
            b.property(properties[i], properties[i + 1]);
        }
        return b.http(new Orders(b.client(StockApi.class)));
    }

    private String otlp() {
        return "http://127.0.0.1:" + collector.getAddress().getPort();
    }

    private static String traceparent(String trace) {
        return "00-" + trace + "-00f067aa0ba902b7-01";
    }

    private static JsonNode one(List<JsonNode> spans, String kind) {
        return spans.stream().filter(s -> s.get("kind").asText().equals(kind)).findFirst().orElseThrow();
    }

    @Test
    void spansCarryRouteTemplatesNotRawPathsAndNeverQueryStrings() {
        RunningService s = service("templates").start();
        try {
            String trace = "0af7651916cd43dd8448eb211c80319c";
            TestResponse r = new TestClient(s.uri()).get("/orders/o-4711?email=" + USER, "traceparent", traceparent(trace));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            List<JsonNode> spans = CapturedSpans.of(s.uri()).await(trace, 2);
            JsonNode server = one(spans, "SERVER");
            assertThat(server.get("name").asText()).isEqualTo("GET /orders/{id}");
            assertThat(server.at("/attributes/http.route").asText()).isEqualTo("/orders/{id}");
            assertThat(server.at("/attributes/url.path").isMissingNode()).isTrue();
            assertThat(server.at("/attributes/url.query").isMissingNode()).isTrue();
            JsonNode client = one(spans, "CLIENT");
            assertThat(client.get("name").asText()).isEqualTo("GET /stock/{sku}");
            assertThat(client.at("/attributes/url.template").asText()).isEqualTo("/stock/{sku}");
            assertThat(client.at("/attributes/url.full").isMissingNode()).isTrue();
            assertThat(spans.toString()).doesNotContain("o-4711").doesNotContain("email=").doesNotContain("token=")
                    .doesNotContain(SECRET);
        } finally {
            s.stop();
        }
    }

    @Test
    void rawPathsWhenAskedStillWithoutTheQuery() {
        RunningService s = service("raw", "server.tracing.raw-paths", "true").start();
        try {
            String trace = "1af7651916cd43dd8448eb211c80319c";
            assertThat(new TestClient(s.uri()).get("/orders/o-4711?email=x", "traceparent", traceparent(trace)).status())
                    .isEqualTo(200);
            List<JsonNode> spans = CapturedSpans.of(s.uri()).await(trace, 2);
            assertThat(one(spans, "SERVER").at("/attributes/url.path").asText()).isEqualTo("/orders/o-4711");
            assertThat(one(spans, "CLIENT").at("/attributes/url.full").asText())
                    .isEqualTo("http://127.0.0.1:" + downstream.getAddress().getPort() + "/stock/o-4711");
            assertThat(spans.toString()).doesNotContain("email=").doesNotContain("token=").doesNotContain(SECRET);
        } finally {
            s.stop();
        }
    }

    @Test
    void aBadRawPathsValueStopsStartUp() {
        RuntimeException e = StartFailure.of(service("badraw", "server.tracing.raw-paths", "sometimes"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("server.tracing.raw-paths")
                .hasMessageContaining("sometimes");
    }

    @Test
    void onTheServicePortTheStoreKeepsOnlyTheExceptionsType() {
        RunningService s = service("plain").start();
        try {
            TestResponse r = new TestClient(s.uri()).get("/orders/failing/o-9");
            assertThat(r.status()).isEqualTo(500);
            JsonNode span = one(CapturedSpans.of(s.uri()).await(r.json().get("traceId").asText(), 1), "SERVER");
            JsonNode exception = span.get("events").get(0);
            assertThat(exception.get("name").asText()).isEqualTo("exception");
            assertThat(exception.at("/attributes/exception.type").asText()).isEqualTo("java.lang.IllegalStateException");
            assertThat(exception.at("/attributes/exception.message").isMissingNode()).isTrue();
            assertThat(exception.at("/attributes/exception.stacktrace").isMissingNode()).isTrue();
            // the card number with its spaces: a random trace or span id may hold "4111", never a space
            assertThat(span.toString()).doesNotContain("4111 1111").doesNotContain("card ");
        } finally {
            s.stop();
        }
    }

    @Test
    void onTheManagementPortTheStoreKeepsMessagesAndStackTracesAndOtlpAlways() {
        RunningService s = service("managed", "management.port", "0", "observability.tracing.exporter", "otlp",
                "observability.otlp.endpoint", otlp()).start();
        try {
            TestResponse r = new TestClient(s.uri()).get("/orders/failing/o-9");
            assertThat(r.status()).isEqualTo(500);
            assertThat(new TestClient(s.uri()).get("/observe/traces").status()).as("not on the service port")
                    .isEqualTo(404);
            JsonNode span = one(CapturedSpans.of(s.managementUri()).await(r.json().get("traceId").asText(), 1), "SERVER");
            JsonNode exception = span.get("events").get(0);
            assertThat(exception.at("/attributes/exception.message").asText()).isEqualTo("card 4111 1111 1111 1111 of o-9");
            assertThat(exception.at("/attributes/exception.stacktrace").asText())
                    .startsWith("java.lang.IllegalStateException: card 4111").contains("\tat ");
        } finally {
            s.stop(); // flushes the exporter
        }
        synchronized (exported) {
            assertThat(exported).as("the collector is trusted: it gets the exception's message and stack trace")
                    .anySatisfy(body -> assertThat(body).contains("exception.message").contains("card 4111 1111 1111 1111")
                            .contains("exception.stacktrace"));
        }
    }

    @Test
    void attributeValuesAreCutAtTheSpanLimits() {
        String agent = "agent-" + "a".repeat(8000);
        RunningService s = service("limited").start();
        try {
            String trace = "2af7651916cd43dd8448eb211c80319c";
            assertThat(new TestClient(s.uri()).get("/orders/o-1", "traceparent", traceparent(trace),
                    "User-Agent", agent).status()).isEqualTo(200);
            JsonNode server = one(CapturedSpans.of(s.uri()).await(trace, 2), "SERVER");
            assertThat(server.at("/attributes/user_agent.original").asText()).hasSize(4096).startsWith("agent-aaa");
            assertThat(server.at("/attributes/order.note").asText()).hasSize(4096);
        } finally {
            s.stop();
        }
        RunningService small = service("smaller", "observability.tracing.max-attribute-length", "100",
                "observability.tracing.max-attributes", "4", "management.port", "0").start();
        try {
            String trace = "3af7651916cd43dd8448eb211c80319c";
            assertThat(new TestClient(small.uri()).get("/orders/o-1", "traceparent", traceparent(trace),
                    "User-Agent", agent).status()).isEqualTo(200);
            List<JsonNode> spans = CapturedSpans.of(small.managementUri()).await(trace, 2);
            assertThat(spans).allSatisfy(span -> {
                assertThat(span.get("attributes").size()).isLessThanOrEqualTo(4);
                span.get("attributes").forEach(v -> assertThat(v.asText().length()).isLessThanOrEqualTo(100));
            });
            TestResponse failed = new TestClient(small.uri()).get("/orders/failing/o-1");
            JsonNode exception = one(CapturedSpans.of(small.managementUri()).await(failed.json().get("traceId").asText(),
                    1), "SERVER").get("events").get(0);
            assertThat(exception.at("/attributes/exception.stacktrace").asText()).hasSize(100);
        } finally {
            small.stop();
        }
    }

    @Test
    void theOtelVariableOverridesTheLengthLimit() {
        System.setProperty("otel.span.attribute.value.length.limit", "50"); // as OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT
        RunningService s;
        try {
            s = service("otellimit", "observability.tracing.max-attribute-length", "100").start();
        } finally {
            System.clearProperty("otel.span.attribute.value.length.limit");
        }
        try {
            String trace = "7af7651916cd43dd8448eb211c80319c";
            assertThat(new TestClient(s.uri()).get("/orders/o-1", "traceparent", traceparent(trace)).status())
                    .isEqualTo(200);
            assertThat(one(CapturedSpans.of(s.uri()).await(trace, 2), "SERVER").at("/attributes/order.note").asText())
                    .hasSize(50);
        } finally {
            s.stop();
        }
    }

    @Test
    void limitsOutOfRangeStopStartUp() {
        assertThat(StartFailure.of(service("short", "observability.tracing.max-attribute-length", "10")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("observability.tracing.max-attribute-length")
                .hasMessageContaining("'10'");
        assertThat(StartFailure.of(service("none", "observability.tracing.max-attributes", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("observability.tracing.max-attributes")
                .hasMessageContaining("'0'");
        assertThat(StartFailure.of(service("none", "observability.tracing.store.max-traces-per-second", "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("observability.tracing.store.max-traces-per-second").hasMessageContaining("'0'");
    }

    @Test
    void configuredKeysAreMaskedInTheStoreAndInOtlp() {
        RunningService s = service("masked", "observability.tracing.redact", "enduser.id, exception.type",
                "observability.tracing.exporter", "otlp", "observability.otlp.endpoint", otlp()).start();
        String trace = "4af7651916cd43dd8448eb211c80319c";
        try {
            assertThat(new TestClient(s.uri()).get("/orders/o-1?email=" + USER, "traceparent", traceparent(trace))
                    .status()).isEqualTo(200);
            TestResponse failed = new TestClient(s.uri()).get("/orders/failing/o-2");
            JsonNode server = one(CapturedSpans.of(s.uri()).await(trace, 2), "SERVER");
            assertThat(server.at("/attributes/enduser.id").asText()).isEqualTo(SpanRedactor.MASK);
            JsonNode exception = one(CapturedSpans.of(s.uri()).await(failed.json().get("traceId").asText(), 1), "SERVER")
                    .get("events").get(0);
            assertThat(exception.at("/attributes/exception.type").asText()).as("events too").isEqualTo(SpanRedactor.MASK);
        } finally {
            s.stop();
        }
        synchronized (exported) {
            assertThat(exported).anySatisfy(body -> assertThat(body).contains("enduser.id")
                    .contains(SpanRedactor.MASK));
            assertThat(exported).noneSatisfy(body -> assertThat(body).contains(USER));
        }
    }

    @Test
    void aBlankKeyToMaskStopsStartUp() {
        assertThat(StartFailure.of(service("blank", "observability.tracing.redact", "enduser.id,,user_agent.original")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("observability.tracing.redact = 'enduser.id,,user_agent.original': an attribute"
                        + " key is empty");
        assertThatThrownBy(() -> SpanRedactor.masking("enduser.id", " ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void anApplicationsRedactorSeesEverySpanBeforeTheStoreAndTheExporter() {
        RunningService s = service("hashing", "observability.tracing.exporter", "otlp",
                "observability.otlp.endpoint", otlp()).start();
        String trace = "5af7651916cd43dd8448eb211c80319c";
        try {
            assertThat(new TestClient(s.uri()).get("/orders/o-1?email=" + USER, "traceparent", traceparent(trace))
                    .status()).isEqualTo(200);
            JsonNode server = one(CapturedSpans.of(s.uri()).await(trace, 2), "SERVER");
            assertThat(server.at("/attributes/enduser.id").asText()).isEqualTo("user#" + USER.length());
        } finally {
            s.stop();
        }
        synchronized (exported) {
            assertThat(exported).anySatisfy(body -> assertThat(body).contains("user#" + USER.length()));
            assertThat(exported).noneSatisfy(body -> assertThat(body).contains(USER));
        }
    }

    @Test
    void aRedactorThatFailsDropsTheSpanAndSaysSoOnce() {
        Logger logger = Logger.getLogger("dev.chassis.observability.internal.SpanHygiene");
        List<LogRecord> records = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                synchronized (records) {
                    records.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        RunningService s = service("broken", "observability.tracing.exporter", "otlp",
                "observability.otlp.endpoint", otlp()).start();
        String trace = "6af7651916cd43dd8448eb211c80319c";
        try {
            TestClient client = new TestClient(s.uri());
            assertThat(client.get("/orders/o-1?email=" + USER, "traceparent", traceparent(trace)).status())
                    .as("the request itself is served").isEqualTo(200);
            assertThat(client.get("/orders/o-2?email=" + USER).status()).isEqualTo(200);
            // the client span carries no enduser.id: kept; the server span could not be redacted: dropped
            List<JsonNode> spans = CapturedSpans.of(s.uri()).await(trace, 1);
            assertThat(spans).extracting(span -> span.get("kind").asText()).containsExactly("CLIENT");
        } finally {
            s.stop();
            logger.removeHandler(handler);
        }
        synchronized (exported) {
            assertThat(exported).noneSatisfy(body -> assertThat(body).contains(USER));
        }
        synchronized (records) {
            assertThat(records).filteredOn(r -> r.getLevel() == Level.WARNING).singleElement().satisfies(r -> {
                assertThat(r.getMessage()).contains(TestRedactors.Failing.class.getName()).contains("dropped");
                assertThat(r.getThrown()).hasMessageContaining("cannot redact");
            });
        }
    }

    @Test
    void aRedactorThatCannotBeLoadedStopsStartUp(@TempDir File dir) throws IOException {
        var services = dir.toPath().resolve("META-INF/services/" + SpanRedactor.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, "com.example.NoSuchRedactor\n");
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toURI().toURL()}, before)) {
            thread.setContextClassLoader(loader);
            RuntimeException e = StartFailure.of(service("unloadable"));
            assertThat(e).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("META-INF/services/dev.chassis.observability.spi.SpanRedactor")
                    .hasMessageContaining("com.example.NoSuchRedactor");
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    @Test
    void theTraceStoreCanBeTurnedOffAndThenSaysSo() {
        RunningService s = service("nostore", "observability.tracing.store.enabled", "false").start();
        try {
            TestClient client = new TestClient(s.uri());
            assertThat(client.get("/orders/o-1").status()).isEqualTo(200);
            for (String path : List.of("/observe/traces", "/observe/traces/0af7651916cd43dd8448eb211c80319c")) {
                TestResponse r = client.get(path);
                assertThat(r.status()).isEqualTo(404);
                assertThat(r.json().get("detail").asText()).contains("the trace store is off")
                        .contains("observability.tracing.store.enabled is false");
            }
        } finally {
            s.stop();
        }
    }

    @Test
    void productionModeAcceptsTheServicePortWhenTheStoreIsOff() {
        RunningService s = service("prodoff", "production.enabled", "true", "grpc.reflection.enabled", "false",
                "observability.console.enabled", "false", "observability.tracing.store.enabled", "false").start();
        s.stop();
        RuntimeException e = StartFailure.of(service("prodon", "production.enabled", "true",
                "grpc.reflection.enabled", "false", "observability.console.enabled", "false"));
        assertThat(e).isInstanceOf(ConfigException.class)
                .hasMessageContaining("the trace store (/observe/traces) on the service port")
                .hasMessageContaining("observability.tracing.store.enabled: false");
    }

    @Test
    void aBadStoreSwitchStopsStartUp() {
        assertThat(StartFailure.of(service("badstore", "observability.tracing.store.enabled", "off")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("observability.tracing.store.enabled");
    }
}
