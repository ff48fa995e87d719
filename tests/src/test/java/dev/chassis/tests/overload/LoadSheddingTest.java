package dev.chassis.tests.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.StartFailure;
import dev.chassis.tests.client.InventoryApi;
import dev.chassis.tests.client.InventoryService;
import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoReply;
import dev.chassis.tests.grpc.proto.EchoRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;

/**
 * Load shedding over real sockets: with the limit forced to 2 (fixed algorithm) and two requests held in their
 * handler, the next HTTP request gets 503 with Retry-After before its body is sent, the next gRPC call UNAVAILABLE,
 * while health probes (HTTP and gRPC) still answer and {@code /metrics} counts what was shed; a Chassis client
 * retries a shed call on another instance.
 */
class LoadSheddingTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Sends two {@code GET /hold}, which the handler keeps until released; their answers go to {@code holding}. */
    private static void holdTwo(RunningService service, List<CompletableFuture<HttpResponse<String>>> holding) {
        for (int i = 0; i < 2; i++) {
            holding.add(HTTP.sendAsync(get(service.uri(), "/hold"), HttpResponse.BodyHandlers.ofString()));
        }
    }

    @Test
    void aboveTheLimitHttpGets503AndGrpcUnavailableWhileProbesAnswer() throws Exception {
        CountDownLatch entered = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        RunningService service = held(Chassis.service("shedding"), entered, release).grpc(new Echo()).start();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", service.port()).usePlaintext().build();
        List<CompletableFuture<HttpResponse<String>>> holding = new ArrayList<>();
        try {
            holdTwo(service, holding);
            assertThat(entered.await(10, TimeUnit.SECONDS)).as("two requests are in their handler").isTrue();

            // a POST that declares a body and sends none: refused at once, the body never read
            try (Socket s = new Socket("127.0.0.1", service.port())) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(("POST /hold HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String head = readHead(s.getInputStream());
                assertThat(head).startsWith("HTTP/1.1 503").containsIgnoringCase("Retry-After: 1")
                        .containsIgnoringCase("Content-Type: application/problem+json");
            }
            HttpResponse<String> shed = HTTP.send(get(service.uri(), "/anything"), HttpResponse.BodyHandlers.ofString());
            assertThat(shed.statusCode()).isEqualTo(503);
            assertThat(shed.headers().firstValue("Retry-After")).contains("1");
            assertThat(shed.body()).contains("\"type\":\"https://chassis.dev/problems/overloaded\"")
                    .contains("\"status\":503").contains("concurrency limit");

            assertThatThrownBy(() -> EchoGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .say(EchoRequest.newBuilder().setText("hi").build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(e.getStatus().getDescription()).contains("concurrency limit");
                    });

            assertThat(HTTP.send(get(service.uri(), "/health/ready"), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .as("readiness is never shed").isEqualTo(200);
            assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus())
                    .as("gRPC health is never shed").isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            String metrics = HTTP.send(get(service.uri(), "/metrics"), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).as("/metrics is never shed, and counts the refusals")
                    .contains("chassis_server_concurrency_shed_total{chassis_concurrency_group=\"service\"} 3")
                    .contains("chassis_server_concurrency_limit{chassis_concurrency_group=\"service\"} 2")
                    .contains("chassis_server_concurrency_in_flight{chassis_concurrency_group=\"service\"} 2");

            release.countDown();
            for (CompletableFuture<HttpResponse<String>> h : holding) {
                assertThat(h.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
            awaitNoneInFlight(service.uri()); // a request's permit is given back just after its answer
            assertThat(EchoGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .say(EchoRequest.newBuilder().setText("again").build()).getText())
                    .as("below the limit again").isEqualTo("again");
        } finally {
            release.countDown();
            channel.shutdownNow();
            service.stop();
        }
    }

    @Test
    void aRefusalKeepsTheConnectionOpenAndNamesTheRequest() throws Exception {
        CountDownLatch entered = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        RunningService service = held(Chassis.service("keep-alive"), entered, release).start();
        List<CompletableFuture<HttpResponse<String>>> holding = new ArrayList<>();
        try {
            holdTwo(service, holding);
            assertThat(entered.await(10, TimeUnit.SECONDS)).as("two requests are in their handler").isTrue();
            try (Socket s = new Socket("127.0.0.1", service.port())) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                out.write(("GET /orders/42 HTTP/1.1\r\nHost: x\r\n"
                        + "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String head = readHead(in);
                assertThat(head).startsWith("HTTP/1.1 503").containsIgnoringCase("Retry-After: 1")
                        .doesNotContainIgnoringCase("Connection: close");
                assertThat(readBody(in, head)).isEqualTo("{\"type\":\"https://chassis.dev/problems/overloaded\","
                        + "\"title\":\"Overloaded\",\"status\":503,\"detail\":\"the service is at its concurrency limit;"
                        + " retry shortly, or call another instance\",\"instance\":\"/orders/42\","
                        + "\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}");

                // the same connection: a POST whose whole body was sent is refused too, its body skipped
                out.write("POST /orders HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n{\"a\":1}"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                head = readHead(in);
                assertThat(head).startsWith("HTTP/1.1 503").doesNotContainIgnoringCase("Connection: close");
                assertThat(readBody(in, head)).contains("\"instance\":\"/orders\"");

                // and still the same connection: the next request is read from where the body ended
                out.write("GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                head = readHead(in);
                assertThat(head).as("the connection serves on after two refusals").startsWith("HTTP/1.1 200");
                readBody(in, head);

                release.countDown();
                for (CompletableFuture<HttpResponse<String>> h : holding) {
                    assertThat(h.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
                }
                awaitNoneInFlight(service.uri()); // a request's permit is given back just after its answer
                out.write("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                head = readHead(in);
                assertThat(head).as("below the limit, on the refused requests' connection").startsWith("HTTP/1.1 200");
                assertThat(readBody(in, head)).isEqualTo("released");
            }
        } finally {
            release.countDown();
            service.stop();
        }
    }

    @Test
    void aStandingSchedulerQueueIsRefusedOverHttpOnceItHasLastedTheInterval() throws Exception {
        assumeThat(Runtime.version().feature()).as("JDK 24 or later counts the virtual threads waiting to run")
                .isGreaterThanOrEqualTo(24);
        RunningService service = Chassis.service("queue").property("server.port", "0")
                .property("server.concurrency-limit.max-scheduler-queue", "5")
                .property("server.concurrency-limit.scheduler-queue-interval", "20ms")
                // the check would switch this shared test JVM to platform pollers (PlatformPollersTest covers that)
                .property("server.platform-pollers", "false")
                .routing(r -> r.get("/work", (req, res) -> res.send("done"))).start();
        int cpus = Runtime.getRuntime().availableProcessors();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger queued = new AtomicInteger();
        // a standing queue: CPU-only virtual threads kept at about 50 per CPU waiting, whatever the machine's speed
        Thread backlog = Thread.ofPlatform().start(() -> {
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                while (!stop.get()) {
                    if (queued.get() < 50 * cpus) {
                        queued.incrementAndGet();
                        pool.submit(() -> {
                            try {
                                return compute();
                            } finally {
                                queued.decrementAndGet();
                            }
                        });
                    } else {
                        LockSupport.parkNanos(100_000); // the producer's pace, not a timing the test depends on
                    }
                }
            }
        });
        try {
            // the request's own virtual threads wait in that queue too: on a slow machine an attempt may get no answer
            // within WAIT, which is no answer yet, not a wrong one
            Eventually.within(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(answered(get(service.uri(), "/work"))
                    .statusCode()).as("refused while the queue stands").isEqualTo(503));
            stop.set(true);
            backlog.join();
            Eventually.within(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(answered(get(service.uri(), "/work"))
                    .body()).as("served once it has drained").isEqualTo("done"));
        } finally {
            stop.set(true);
            backlog.join();
            service.stop();
        }
    }

    /** The answer to {@code request}; none within its timeout fails as an assertion, which Eventually tries again. */
    private static HttpResponse<String> answered(HttpRequest request) throws Exception {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new AssertionError("no answer within " + WAIT, e);
        }
    }

    /** CPU work that never blocks: what makes virtual threads queue for a carrier. */
    private static byte[] compute() throws NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] block = new byte[4096];
        for (int i = 0; i < 300; i++) {
            sha.update(block);
        }
        return sha.digest();
    }

    @Test
    void aChassisClientRetriesAShedCallOnAnotherInstance() throws Exception {
        CountDownLatch entered = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        RunningService busy = held(Chassis.service("inventory"), entered, release).http(new InventoryService()).start();
        RunningService idle = Chassis.service("inventory").property("server.port", "0").http(new InventoryService()).start();
        ServiceBuilder caller = Chassis.service("orders").property("server.port", "0")
                .property("clients.inventory.url", busy.uri() + "," + idle.uri());
        InventoryApi inventory = caller.client(InventoryApi.class);
        List<CompletableFuture<HttpResponse<String>>> holding = new ArrayList<>();
        RunningService orders = caller.start();
        try {
            holdTwo(busy, holding);
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 4; i++) {
                assertThat(inventory.find("pen")).as("call %d, round robin over a shedding and an idle instance", i)
                        .isPresent();
            }
            Eventually.within(WAIT).untilAsserted(() -> assertThat(HTTP.send(get(busy.uri(), "/metrics"),
                    HttpResponse.BodyHandlers.ofString()).body()).as("the busy instance shed some of them")
                    .containsPattern("chassis_server_concurrency_shed_total\\{chassis_concurrency_group=\"service\"} [1-9]"));
        } finally {
            release.countDown();
            orders.stop();
            busy.stop();
            idle.stop();
        }
    }

    @Test
    void contradictoryLimitsFailStartUpBeforeThePortOpens() {
        assertThat(StartFailure.of(Chassis.service("limits").property("server.concurrency-limit.min-limit", "500")))
                .hasMessageContaining("server.concurrency-limit: min-limit (500) <= initial-limit (200) <= max-limit (1000)"
                        + " must hold for the gradient2 algorithm");
        assertThat(StartFailure.of(Chassis.service("groups").property("server.concurrency-limit.groups.slow.max-limit", "50")))
                .hasMessageContaining("server.concurrency-limit.groups.slow.routes is missing");
    }

    /** A service with the limit at 2 and {@code /hold}, which waits for {@code release}. */
    private static ServiceBuilder held(ServiceBuilder builder, CountDownLatch entered, CountDownLatch release) {
        return builder.property("server.port", "0")
                .property("server.concurrency-limit.algorithm", "fixed")
                .property("server.concurrency-limit.initial-limit", "2")
                .routing(r -> r.any("/hold", (req, res) -> {
                    entered.countDown();
                    res.send(release.await(30, TimeUnit.SECONDS) ? "released" : "timed out");
                }));
    }

    /** Waits until the service's limit counts no request in flight ({@code /metrics} itself is exempt). */
    private static void awaitNoneInFlight(URI base) {
        Eventually.within(WAIT).untilAsserted(() -> assertThat(HTTP.send(get(base, "/metrics"),
                HttpResponse.BodyHandlers.ofString()).body())
                .contains("chassis_server_concurrency_in_flight{chassis_concurrency_group=\"service\"} 0"));
    }

    private static HttpRequest get(URI base, String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(WAIT).build();
    }

    private static String readHead(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            if (head.toString().endsWith("\r\n\r\n")) {
                break;
            }
        }
        return head.toString();
    }

    /** The body after {@code head}, by its Content-Length. */
    private static String readBody(InputStream in, String head) throws Exception {
        Matcher length = Pattern.compile("(?im)^content-length: *(\\d+)").matcher(head);
        assertThat(length.find()).as("a Content-Length in %s", head).isTrue();
        return new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8);
    }

    /** Echo, for the gRPC side. */
    private static final class Echo extends EchoGrpc.EchoImplBase {
        @Override
        public void say(EchoRequest request, StreamObserver<EchoReply> observer) {
            observer.onNext(EchoReply.newBuilder().setText(request.getText()).build());
            observer.onCompleted();
        }
    }
}
