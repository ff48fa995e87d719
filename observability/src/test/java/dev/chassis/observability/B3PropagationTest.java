package dev.chassis.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.http.Client;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.testing.CapturedSpans;
import dev.chassis.testing.TestClient;
import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoReply;
import dev.chassis.tests.grpc.proto.EchoRequest;

/**
 * B3 from gateways and meshes: a B3-only caller (single {@code b3} header, or {@code X-B3-*} headers) is continued as
 * the same trace; {@code traceparent} wins when both come; outgoing calls carry B3 only when configured.
 */
class B3PropagationTest {
    private static final String TRACE = "80f198ee56343ba864fe8b2a57d3eff7";
    private static final String SPAN = "e457b5a2e4d86bd1";
    private static HttpServer downstream;
    private static final Map<String, List<String>> seen = new ConcurrentHashMap<>();

    /** The downstream, as a client. */
    @Client("down")
    @Path("/ping")
    public interface Down {
        @Get
        String ping();
    }

    /** Calls the downstream. */
    public static final class Edge {
        private final Down down;

        Edge(Down down) {
            this.down = down;
        }

        @Get("/call")
        public String call() {
            return down.ping();
        }
    }

    @BeforeAll
    static void startDownstream() throws IOException {
        downstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        downstream.createContext("/ping", exchange -> {
            exchange.getRequestHeaders().forEach((name, values) -> seen.put(name.toLowerCase(), values));
            byte[] body = "\"pong\"".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        downstream.start();
    }

    @BeforeEach
    void forget() {
        seen.clear();
    }

    @AfterAll
    static void stopDownstream() {
        downstream.stop(0);
    }

    private static RunningService edge(String b3) {
        ServiceBuilder b = Chassis.service("edge").property("server.port", "0")
                .property("clients.down.url", "http://127.0.0.1:" + downstream.getAddress().getPort());
        if (b3 != null) {
            b.property("observability.propagation.b3", b3);
        }
        return b.http(new Edge(b.client(Down.class))).start();
    }

    private static JsonNode serverSpan(RunningService service, String trace) {
        return CapturedSpans.of(service.uri()).await(trace, 2).stream()
                .filter(s -> s.path("kind").asText().equals("SERVER")).findFirst().orElseThrow();
    }

    @Test
    void aSingleB3HeaderIsContinued() {
        RunningService service = edge(null);
        try {
            new TestClient(service.uri()).get("/call", "b3", TRACE + "-" + SPAN + "-1");
            assertThat(serverSpan(service, TRACE).path("parentSpanId").asText()).isEqualTo(SPAN);
            assertThat(seen.get("traceparent").get(0)).startsWith("00-" + TRACE + "-");
            assertThat(seen).as("no B3 goes out unless configured").doesNotContainKeys("b3", "x-b3-traceid");
        } finally {
            service.stop();
        }
    }

    @Test
    void aRequestWithoutB3HeadersIsNotReportedAsAnInvalidB3Trace() {
        RunningService service = edge(null);
        // OpenTelemetry's multi-header B3 extractor reports an absent X-B3-TraceId at FINE as invalid: with that logger
        // at FINE, every request without B3 headers used to log "Invalid TraceId in B3 header: 'null'" (and built the
        // text for each request even when FINE was off)
        Logger b3 = Logger.getLogger("io.opentelemetry.extension.trace.propagation.B3PropagatorExtractorMultipleHeaders");
        List<String> logged = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        handler.setLevel(Level.ALL);
        Level before = b3.getLevel();
        b3.setLevel(Level.FINE);
        b3.addHandler(handler);
        try {
            TestClient client = new TestClient(service.uri());
            client.get("/call");
            client.get("/call", "traceparent", "00-" + TRACE + "-" + SPAN + "-01");
            assertThat(logged).as("requests without B3 headers").isEmpty();
            client.get("/call", "X-B3-TraceId", "not-a-trace-id", "X-B3-SpanId", SPAN);
            assertThat(logged).as("a malformed B3 header is still reported").anyMatch(m -> m.contains("not-a-trace-id"));
        } finally {
            b3.removeHandler(handler);
            b3.setLevel(before);
            service.stop();
        }
    }

    @Test
    void multiB3HeadersAreContinued() {
        RunningService service = edge(null);
        try {
            new TestClient(service.uri()).get("/call", "X-B3-TraceId", TRACE, "X-B3-SpanId", SPAN, "X-B3-Sampled", "1");
            assertThat(serverSpan(service, TRACE).path("parentSpanId").asText()).isEqualTo(SPAN);
        } finally {
            service.stop();
        }
    }

    /** Answers over gRPC. */
    static final class Echo extends EchoGrpc.EchoImplBase {
        @Override
        public void say(EchoRequest request, StreamObserver<EchoReply> out) {
            out.onNext(EchoReply.newBuilder().setText(request.getText()).build());
            out.onCompleted();
        }
    }

    @Test
    void aB3OnlyGrpcCallerIsContinued() throws InterruptedException {
        RunningService service = Chassis.service("echo").property("server.port", "0").grpc(new Echo()).start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", service.port()).usePlaintext().build();
        try {
            Metadata b3 = new Metadata();
            b3.put(Metadata.Key.of("b3", Metadata.ASCII_STRING_MARSHALLER), TRACE + "-" + SPAN + "-1");
            EchoGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(b3))
                    .withDeadlineAfter(10, TimeUnit.SECONDS).say(EchoRequest.newBuilder().setText("hi").build());
            JsonNode span = CapturedSpans.of(service.uri()).await(TRACE, 1).get(0);
            assertThat(span.path("name").asText()).isEqualTo("chassis.test.Echo/Say");
            assertThat(span.path("parentSpanId").asText()).isEqualTo(SPAN);
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            service.stop();
        }
    }

    @Test
    void traceparentWinsOverB3() {
        RunningService service = edge(null);
        try {
            String w3c = "4bf92f3577b34da6a3ce929d0e0e4736";
            new TestClient(service.uri()).get("/call", "traceparent", "00-" + w3c + "-00f067aa0ba902b7-01",
                    "b3", TRACE + "-" + SPAN + "-1");
            assertThat(serverSpan(service, w3c).path("parentSpanId").asText()).isEqualTo("00f067aa0ba902b7");
            assertThat(CapturedSpans.of(service.uri()).trace(TRACE)).isEmpty();
        } finally {
            service.stop();
        }
    }

    @Test
    void outgoingCallsCarryB3WhenConfigured() {
        RunningService single = edge("single");
        try {
            new TestClient(single.uri()).get("/call", "b3", TRACE + "-" + SPAN + "-1");
            assertThat(seen.get("traceparent").get(0)).startsWith("00-" + TRACE + "-");
            assertThat(seen.get("b3").get(0)).startsWith(TRACE + "-").endsWith("-1");
        } finally {
            single.stop();
        }
        seen.clear();
        RunningService multi = edge("multi");
        try {
            new TestClient(multi.uri()).get("/call", "X-B3-TraceId", TRACE, "X-B3-SpanId", SPAN, "X-B3-Sampled", "1");
            assertThat(seen.get("x-b3-traceid")).containsExactly(TRACE);
            assertThat(seen.get("x-b3-spanid").get(0)).hasSize(16).isNotEqualTo(SPAN);
            assertThat(seen.get("traceparent").get(0)).startsWith("00-" + TRACE + "-");
        } finally {
            multi.stop();
        }
    }
}
