package dev.chassis.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.http.Client;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;
import io.opentelemetry.api.GlobalOpenTelemetry;

/** Where spans go: OTLP to a collector (a live one, a dead one, a hung one), and how many (sampling). */
class ExportersTest {
    @Path("/orders")
    public static final class Orders {
        @Get
        @Path("/{id}")
        public String order(@PathParam("id") String id) {
            return id;
        }
    }

    private static RunningService start(String... properties) {
        var b = Chassis.service("orders").property("server.port", "0").property("server.shutdown.delay", "0s")
                .http(new Orders());
        for (int i = 0; i < properties.length; i += 2) {
            b.property(properties[i], properties[i + 1]);
        }
        return b.start();
    }

    /**
     * The collector is simulated by a JDK HTTP server that records what OTLP/HTTP posts: no OpenTelemetry
     * collector runs here. The body is protobuf; the span and service names appear in it as plain bytes.
     */
    @Test
    void otlpSendsSpansToTheCollector() throws IOException {
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> posts = new ArrayList<>();
        collector.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            synchronized (posts) {
                posts.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
                        + exchange.getRequestHeaders().getFirst("Content-Type") + " "
                        + new String(body, StandardCharsets.ISO_8859_1));
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        try {
            RunningService service = start("observability.tracing.exporter", "otlp",
                    "observability.otlp.endpoint", "http://127.0.0.1:" + collector.getAddress().getPort());
            assertThat(new TestClient(service.uri()).get("/orders/o-1").status()).isEqualTo(200);
            service.stop(); // flushes the batch
        } finally {
            collector.stop(0);
        }
        synchronized (posts) {
            assertThat(posts).anySatisfy(p -> assertThat(p).startsWith("POST /v1/traces application/x-protobuf")
                    .contains("GET /orders/{id}").contains("orders"));
        }
    }

    /**
     * The JVM series are registered at the first scrape of /metrics; a service that pushes its metrics
     * ({@code OTEL_METRICS_EXPORTER=otlp}) is never scraped, so they are registered when it starts.
     */
    @Test
    void pushedMetricsCarryTheJvmSeriesWithoutAScrape() throws IOException {
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> metricPosts = new ArrayList<>();
        collector.createContext("/v1/metrics", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.ISO_8859_1);
            synchronized (metricPosts) {
                metricPosts.add(body);
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        System.setProperty("otel.metrics.exporter", "otlp");
        System.setProperty("otel.metric.export.interval", "100");
        RunningService service = null;
        try {
            service = start("observability.otlp.endpoint", "http://127.0.0.1:" + collector.getAddress().getPort());
            Eventually.within(Duration.ofSeconds(10)).until("jvm.memory.used pushed to the collector", () -> {
                synchronized (metricPosts) {
                    return metricPosts.stream().anyMatch(b -> b.contains("jvm.memory.used"));
                }
            });
        } finally {
            System.clearProperty("otel.metrics.exporter");
            System.clearProperty("otel.metric.export.interval");
            if (service != null) {
                service.stop();
            }
            collector.stop(0);
        }
    }

    /** A queue of 16 spans, flushed every 10 ms: 300 requests overflow it many times over. */
    private static <T> T withSmallExportQueue(Callable<T> test) throws Exception {
        System.setProperty("otel.bsp.max.queue.size", "16");
        System.setProperty("otel.bsp.max.export.batch.size", "8");
        System.setProperty("otel.bsp.schedule.delay", "10");
        try {
            return test.call();
        } finally {
            System.clearProperty("otel.bsp.max.queue.size");
            System.clearProperty("otel.bsp.max.export.batch.size");
            System.clearProperty("otel.bsp.schedule.delay");
        }
    }

    @Test
    void aDeadCollectorFailsNoRequest() throws Exception {
        withSmallExportQueue(() -> {
            deadCollector();
            return null;
        });
    }

    private void deadCollector() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        RunningService service = start("observability.tracing.exporter", "otlp",
                "observability.otlp.endpoint", "http://127.0.0.1:" + port, "observability.otlp.timeout", "1s",
                "observability.tracing.store.max-traces-per-second", "100000"); // all 300 are looked for below
        try {
            TestClient client = new TestClient(service.uri());
            for (int i = 0; i < 300; i++) {
                assertThat(client.get("/orders/o-" + i).status()).isEqualTo(200);
            }
            // the embedded store is not affected by the exporter's failures (waited for: a server span ends just after
            // its answer, so the last trace may be stored a moment after the last response)
            Eventually.within(Duration.ofSeconds(10)).get("300 traces stored",
                    () -> client.get("/observe/traces?limit=1000").json().get("traces").size(), n -> n >= 300);
        } finally {
            // returns although the final flush cannot succeed (the timeout only catches a hang)
            Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30), service::stop);
        }
        assertThat(service.isRunning()).isFalse();
    }

    @Test
    void aHungCollectorBlocksNoRequest() throws Exception {
        withSmallExportQueue(() -> {
            hungCollector();
            return null;
        });
    }

    private void hungCollector() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (ServerSocket hung = new ServerSocket(0)) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(hung.accept()); // accept, never read, never answer
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.start();
            RunningService service = start("observability.tracing.exporter", "otlp",
                    "observability.otlp.endpoint", "http://127.0.0.1:" + hung.getLocalPort(),
                    "observability.otlp.timeout", "30s");
            try {
                TestClient client = new TestClient(service.uri());
                for (int i = 0; i < 300; i++) {
                    assertThat(client.get("/orders/o-" + i).status()).isEqualTo(200);
                }
                assertThat(held).as("the exporter did reach the hung collector").isNotEmpty();
            } finally {
                // bounded: the SDK gets 5 s to flush, then the spans are dropped (the timeout only catches a hang)
                Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30),
                        service::stop);
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void samplingIsParentBasedWithAConfigurableRatio() {
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        RunningService none = start("observability.tracing.sampler.ratio", "0");
        try {
            TestClient client = new TestClient(none.uri());
            TestResponse fresh = client.get("/nowhere");
            String freshTrace = fresh.json().get("traceId").asText();
            assertThat(client.get("/observe/traces/" + freshTrace).status()).as("a new trace at ratio 0").isEqualTo(404);
            // a caller that sampled is followed
            assertThat(client.get("/orders/o-1", "traceparent", "00-" + trace + "-00f067aa0ba902b7-01").status())
                    .isEqualTo(200);
            // waited for: the server span ends (and is stored) just after the answer
            Eventually.within(Duration.ofSeconds(10)).until("the followed trace stored",
                    () -> client.get("/observe/traces/" + trace).status() == 200);
        } finally {
            none.stop();
        }
        RunningService all = start();
        try {
            TestClient client = new TestClient(all.uri());
            String unsampled = "5bf92f3577b34da6a3ce929d0e0e4736";
            assertThat(client.get("/orders/o-1", "traceparent", "00-" + unsampled + "-00f067aa0ba902b7-00").status())
                    .isEqualTo(200);
            assertThat(client.get("/observe/traces/" + unsampled).status()).as("a caller that did not sample")
                    .isEqualTo(404);
            String freshTrace = client.get("/nowhere").json().get("traceId").asText();
            // waited for: the server span ends (and is stored) just after the answer
            Eventually.within(Duration.ofSeconds(10)).until("the new trace stored",
                    () -> client.get("/observe/traces/" + freshTrace).status() == 200);
        } finally {
            all.stop();
        }
    }

    @Test
    void badSettingsFailStartUpWithTheKey() {
        assertThatThrownBy(() -> start("observability.tracing.sampler.ratio", "1.5"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("observability.tracing.sampler.ratio");
        assertThatThrownBy(() -> start("observability.tracing.exporter", "zipkin"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("observability.tracing.exporter")
                .hasMessageContaining("otlp");
        assertThatThrownBy(() -> start("logging.format", "xml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("logging.format");
        assertThatThrownBy(() -> start("observability.otlp.endpoint", "ftp://collector"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("observability.otlp.endpoint");
        assertThatThrownBy(() -> start("observability.otlp.endpoint", "http://a:4318,http://b:4318"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("one collector");
        assertThatThrownBy(() -> start("observability.tracing.store.max-spans", "-1"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("observability.tracing.store.max-spans");
        assertThatThrownBy(() -> start("observability.tracing.sampler.ratoi", "0.5"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ratio");
    }

    @Test
    void badOtelPropertiesFailStartUp() {
        // the same path as the OTEL_TRACES_SAMPLER environment variable (system properties are read the same way)
        System.setProperty("otel.traces.sampler", "sometimes");
        try {
            assertThatThrownBy(() -> start()).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("OpenTelemetry could not be set up").hasMessageContaining("sometimes");
        } finally {
            System.clearProperty("otel.traces.sampler");
        }
    }

    @Test
    void aFailedStartLeavesNoSdkBehind() {
        // the service fails after its SDK was built: a client names a target nobody knows
        var broken = Chassis.service("broken").property("server.port", "0");
        broken.client(NowhereApi.class);
        assertThatThrownBy(broken::start)
                .isInstanceOf(ConfigException.class).hasMessageContaining("nowhere");
        // the global forwarder points at no SDK: spans from it are not recorded
        var span = GlobalOpenTelemetry.getTracer("test").spanBuilder("after").startSpan();
        assertThat(span.isRecording()).isFalse();
        span.end();
        RunningService ok = start();
        try {
            var recorded = GlobalOpenTelemetry.getTracer("test").spanBuilder("during").startSpan();
            assertThat(recorded.isRecording()).as("a running service's SDK is the global one").isTrue();
            recorded.end();
        } finally {
            ok.stop();
        }
        var afterStop = GlobalOpenTelemetry.getTracer("test").spanBuilder("after").startSpan();
        assertThat(afterStop.isRecording()).isFalse();
        afterStop.end();
    }

    @Client("nowhere")
    @Path("/x")
    public interface NowhereApi {
        @Get
        String get();
    }

    @Test
    void withTracingOffTheCallersContextPassesThroughUnchanged() throws IOException {
        HttpServer downstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> seen = new ArrayList<>();
        downstream.createContext("/x", exchange -> {
            synchronized (seen) {
                seen.add(exchange.getRequestHeaders().getFirst("traceparent"));
            }
            byte[] body = "\"ok\"".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        downstream.start();
        var b = Chassis.service("relay").property("server.port", "0").property("observability.tracing.enabled", "false")
                .property("clients.down.url", "http://127.0.0.1:" + downstream.getAddress().getPort());
        DownApi down = b.client(DownApi.class);
        RunningService relay = b.http(new Relay(down)).start();
        try {
            String incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
            assertThat(new TestClient(relay.uri()).get("/relay", "traceparent", incoming).status()).isEqualTo(200);
            synchronized (seen) {
                assertThat(seen).containsExactly(incoming); // same trace, same parent, sampled: nothing of its own
            }
            assertThat(new TestClient(relay.uri()).get("/observe/traces/4bf92f3577b34da6a3ce929d0e0e4736").status())
                    .isEqualTo(404);
        } finally {
            relay.stop();
            downstream.stop(0);
        }
    }

    @Client("down")
    @Path("/x")
    public interface DownApi {
        @Get
        String get();
    }

    @Path("/relay")
    public static final class Relay {
        private final DownApi down;

        Relay(DownApi down) {
            this.down = down;
        }

        @Get
        public String relay() {
            return down.get();
        }
    }

    @Test
    void theExtensionCanBeTurnedOff() {
        RunningService off = start("chassis.extensions.observability.enabled", "false");
        try {
            TestClient client = new TestClient(off.uri());
            assertThat(client.get("/metrics").status()).isEqualTo(404);
            assertThat(client.get("/observe/traces").status()).isEqualTo(404);
            assertThat(client.get("/orders/o-1").status()).isEqualTo(200);
        } finally {
            off.stop();
        }
    }
}
