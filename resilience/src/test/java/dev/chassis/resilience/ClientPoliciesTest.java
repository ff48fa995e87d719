package dev.chassis.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.client.ClientTimeoutException;
import dev.chassis.core.client.RemoteProblemException;
import dev.chassis.core.client.UnreachableException;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.http.BindingException;
import dev.chassis.core.http.Client;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Head;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.testing.TestClient;
import io.grpc.Context;
import io.grpc.Deadline;

/**
 * The standard's client retry rules and the client policies, against real servers whose answers the test
 * scripts. Back-off is 1 ms so that retries cost no time; the circuit breaker and the retry budget read a
 * clock the test moves.
 */
class ClientPoliciesTest {
    private final List<AutoCloseable> open = new ArrayList<>();
    private final MutableClock clock = new MutableClock();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private ScriptedServer server(String name) {
        ScriptedServer s = new ScriptedServer(name);
        open.add(s);
        return s;
    }

    private ItemsClient caller(Map<String, String> properties) {
        ServiceBuilder b = Chassis.service("caller").property("server.port", "0").clock(clock)
                .property("clients.items.retry.backoff", "1ms").property("clients.items.retry.jitter", "0");
        properties.forEach(b::property);
        ItemsClient client = b.client(ItemsClient.class);
        RunningService s = b.start();
        open.add(s);
        return client;
    }

    @Test
    void idempotentCallsAreRetriedOn503UpToMaxAttempts() {
        ScriptedServer s = server("a");
        ItemsClient c = caller(Map.of("clients.items.url", s.url()));
        s.script.addAll(List.of(503, 503));
        assertThat(c.get("1").id()).isEqualTo("1");
        assertThat(s.requests).hasValue(3);

        s.requests.set(0);
        s.script.addAll(List.of(502, 504, 503));
        assertThatThrownBy(() -> c.get("2")).isInstanceOfSatisfying(RemoteProblemException.class,
                e -> assertThat(e.status()).isEqualTo(503));
        assertThat(s.requests).as("3 attempts in all by default").hasValue(3);
    }

    @Test
    void whenTheMeshOwnsRetriesTheClientMakesOneAttempt() {
        ScriptedServer s = server("a");
        ItemsClient all = caller(Map.of("clients.items.url", s.url(), "resilience.mesh-retries", "true"));
        s.script.add(503);
        assertThatThrownBy(() -> all.get("1")).isInstanceOfSatisfying(RemoteProblemException.class,
                e -> assertThat(e.status()).isEqualTo(503));
        assertThat(s.requests).as("the default for every target").hasValue(1);

        ScriptedServer t = server("b");
        ItemsClient one = caller(Map.of("clients.items.url", t.url(), "clients.items.retry.mesh", "true"));
        t.script.add(503);
        assertThatThrownBy(() -> one.get("1")).isInstanceOf(RemoteProblemException.class);
        assertThat(t.requests).as("one target").hasValue(1);
    }

    @Test
    void aTargetTheMeshDoesNotRetryKeepsItsRetries() {
        ScriptedServer s = server("a");
        ItemsClient c = caller(Map.of("clients.items.url", s.url(), "resilience.mesh-retries", "true",
                "clients.items.retry.mesh", "false"));
        s.script.addAll(List.of(503, 503));
        assertThat(c.get("1").id()).isEqualTo("1");
        assertThat(s.requests).hasValue(3);
    }

    @Test
    void configurationOverridesTheDefaultAttempts() {
        ScriptedServer s = server("a");
        ItemsClient c = caller(Map.of("clients.items.url", s.url(), "clients.items.retry.max-attempts", "5"));
        s.defaultStatus = 503;
        assertThatThrownBy(() -> c.get("1")).isInstanceOf(RemoteProblemException.class);
        assertThat(s.requests).hasValue(5);
    }

    @Test
    void otherErrorsAreNotRetried() {
        ScriptedServer s = server("a");
        ItemsClient c = caller(Map.of("clients.items.url", s.url()));
        for (int status : new int[] {500, 404, 409, 429}) {
            s.requests.set(0);
            s.script.add(status);
            assertThatThrownBy(() -> c.get("1")).isInstanceOf(RemoteProblemException.class);
            assertThat(s.requests).as("status %d", status).hasValue(1);
        }
    }

    @Test
    void postWithoutAnIdempotencyKeyIsNeverRetried() {
        ScriptedServer s = server("a");
        ItemsClient c = caller(Map.of("clients.items.url", s.url()));
        s.script.addAll(List.of(503, 503));
        assertThatThrownBy(() -> c.create("1", new ItemsClient.Item("1", "x"), Optional.empty()))
                .isInstanceOf(RemoteProblemException.class);
        assertThat(s.requests).hasValue(1);
        // a blank key is no key: the server would run a retried POST twice
        s.requests.set(0);
        s.script.addAll(List.of(503, 503));
        assertThatThrownBy(() -> c.create("1", new ItemsClient.Item("1", "x"), Optional.of(" ")))
                .isInstanceOf(RemoteProblemException.class);
        assertThat(s.requests).hasValue(1);

        s.requests.set(0);
        s.script.clear();
        s.script.addAll(List.of(503, 503));
        assertThat(c.create("1", new ItemsClient.Item("1", "x"), Optional.of("key-1")).id()).isEqualTo("1");
        assertThat(s.requests).as("with an Idempotency-Key the POST is retried").hasValue(3);
    }

    @Test
    void connectFailuresAreRetriedOnAnotherInstance() {
        ScriptedServer alive = server("alive");
        String dead = "http://127.0.0.1:" + freePort();
        ItemsClient c = caller(Map.of("clients.items.url", dead + "," + alive.url()));
        for (int i = 0; i < 10; i++) {
            assertThat(c.get("k" + i).from()).isEqualTo("alive");
        }
        assertThat(alive.requests).hasValue(10);
    }

    @Test
    void aRetryGoesToADifferentInstance() {
        ScriptedServer failing = server("failing");
        ScriptedServer healthy = server("healthy");
        failing.defaultStatus = 503;
        ItemsClient c = caller(Map.of("clients.items.url", failing.url() + "," + healthy.url(),
                "clients.items.retry.max-attempts", "2"));
        for (int i = 0; i < 10; i++) {
            assertThat(c.get("k" + i).from()).isEqualTo("healthy");
        }
        assertThat(healthy.requests).hasValue(10);
        assertThat(failing.requests.get()).as("round robin starts half the calls on the failing instance").isBetween(1, 9);
    }

    @Test
    void theRetryBudgetHoldsUnderTotalFailure() {
        ScriptedServer s = server("a");
        s.defaultStatus = 503;
        ItemsClient c = caller(Map.of("clients.items.url", s.url(), "clients.items.retry.budget.ratio", "0.2",
                "clients.items.retry.budget.min-per-second", "0"));
        int calls = 100;
        for (int i = 0; i < calls; i++) {
            assertThatThrownBy(() -> c.get("x")).isInstanceOf(RemoteProblemException.class);
        }
        // Without the budget, 3 attempts each would make 300 requests. With it (and a clock that does not move),
        // every fifth call earns one retry: exactly 20% more requests than calls.
        assertThat(s.requests).hasValue(calls + calls / 5);
    }

    @Test
    void theCircuitOpensHalfOpensAndClosesAtTheConfiguredPoints() {
        ScriptedServer s = server("a");
        ItemsClient c = caller(Map.of("clients.items.url", s.url(),
                "clients.items.retry.enabled", "false",
                "clients.items.circuit-breaker.window-size", "4",
                "clients.items.circuit-breaker.minimum-calls", "4",
                "clients.items.circuit-breaker.failure-rate-threshold", "50",
                "clients.items.circuit-breaker.wait-in-open", "30s",
                "clients.items.circuit-breaker.half-open-calls", "2"));
        s.script.addAll(List.of(200, 503, 200, 503)); // 2 of 4 failed: 50% → open
        for (int i = 0; i < 4; i++) {
            try {
                c.get("x");
            } catch (RemoteProblemException expected) {
                // half of them fail
            }
        }
        assertThat(s.requests).hasValue(4);

        assertThatThrownBy(() -> c.get("x")).isInstanceOfSatisfying(CircuitOpenException.class,
                e -> assertThat(e.toProblem().headers()).containsEntry("Retry-After", "30"));
        assertThat(s.requests).as("an open circuit does not call").hasValue(4);

        clock.advance(Duration.ofSeconds(29));
        assertThatThrownBy(() -> c.get("x")).isInstanceOf(CircuitOpenException.class);
        clock.advance(Duration.ofSeconds(2));
        assertThat(c.get("x").id()).isEqualTo("x"); // half-open: trial 1
        assertThat(c.get("x").id()).isEqualTo("x"); // trial 2 → closed
        assertThat(s.requests).hasValue(6);
        s.script.addAll(List.of(503)); // closed again: 1 failure in a fresh window of 4 does not open it
        assertThatThrownBy(() -> c.get("x")).isInstanceOf(RemoteProblemException.class);
        assertThat(c.get("x").id()).isEqualTo("x");
        assertThat(c.get("x").id()).isEqualTo("x");
        assertThat(c.get("x").id()).isEqualTo("x");
        assertThat(s.requests).as("every call reached the target").hasValue(10);
    }

    /**
     * A caller whose own deadline has passed, or whose call was cancelled, says nothing about the target: a client
     * sending {@code grpc-timeout: 1u} once opened a healthy target's circuit for everyone.
     */
    @Test
    void theCallersOwnDeadlineOrCancellationDoesNotCountAgainstTheTarget() {
        ScriptedServer s = server("a");
        ItemsClient c = caller(Map.of("clients.items.url", s.url(), "clients.items.retry.enabled", "false",
                "clients.items.circuit-breaker.window-size", "2", "clients.items.circuit-breaker.minimum-calls", "2"));
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            for (int i = 0; i < 5; i++) {
                Context.CancellableContext expired = Context.current()
                        .withDeadline(Deadline.after(1, TimeUnit.NANOSECONDS), timer);
                assertThatThrownBy(() -> expired.run(() -> c.get("x")))
                        .isInstanceOfSatisfying(ClientTimeoutException.class, e -> assertThat(e.targetFailure()).isFalse());
                Context.CancellableContext cancelled = Context.current().withCancellation();
                cancelled.cancel(null);
                assertThatThrownBy(() -> cancelled.run(() -> c.get("x"))).isInstanceOf(ClientTimeoutException.class);
            }
        } finally {
            timer.shutdownNow();
        }
        assertThat(c.get("x").id()).as("the circuit stayed closed").isEqualTo("x");
        s.defaultStatus = 500; // the positive control: the target's own failures still open it
        assertThatThrownBy(() -> c.get("x")).isInstanceOf(RemoteProblemException.class);
        assertThatThrownBy(() -> c.get("x")).isInstanceOf(CircuitOpenException.class);
    }

    /**
     * Nor do they count as successes: a client's tiny deadlines between a failing target's failures kept its circuit
     * closed (four failures and six caller timeouts made a window of 40 % failures).
     */
    @Test
    void theCallersOwnDeadlineDoesNotDiluteTheTargetsFailures() {
        ScriptedServer s = server("a");
        s.defaultStatus = 500;
        ItemsClient c = caller(Map.of("clients.items.url", s.url(), "clients.items.retry.enabled", "false",
                "clients.items.circuit-breaker.window-size", "4", "clients.items.circuit-breaker.minimum-calls", "4",
                "clients.items.circuit-breaker.failure-rate-threshold", "75"));
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> c.get("x")).isInstanceOf(RemoteProblemException.class);
            }
            for (int i = 0; i < 10; i++) {
                Context.CancellableContext expired = Context.current()
                        .withDeadline(Deadline.after(1, TimeUnit.NANOSECONDS), timer);
                assertThatThrownBy(() -> expired.run(() -> c.get("x"))).isInstanceOf(ClientTimeoutException.class);
            }
        } finally {
            timer.shutdownNow();
        }
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> c.get("x")).isInstanceOf(RemoteProblemException.class);
        }
        assertThatThrownBy(() -> c.get("x")).as("four failures in a window of four").isInstanceOf(CircuitOpenException.class);
    }

    /**
     * The request timeout bounds the whole answer, not each read: a target that sends its headers, then a byte every
     * 300 ms of a body that would take a minute, ends the call at about the timeout.
     */
    @Test
    void aTargetThatDripsItsAnswerIsCutOffAtTheRequestTimeout() throws Exception {
        try (ServerSocket dripping = new ServerSocket(0)) {
            Thread.ofVirtual().start(() -> {
                while (!dripping.isClosed()) {
                    try {
                        java.net.Socket c = dripping.accept(); // CHECKSTYLE:FQN-OK
                        Thread.ofVirtual().start(() -> {
                            try (c) {
                                c.getInputStream().read(new byte[4096]); // the request
                                var out = c.getOutputStream();
                                out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n"
                                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII)); // CHECKSTYLE:FQN-OK
                                for (int i = 0; i < 200; i++) {
                                    out.write(' ');
                                    out.flush();
                                    Thread.sleep(300); // the drip's pace, not a wait for something
                                }
                            } catch (IOException | InterruptedException gone) {
                                // the client gave up: what the test waits for
                            }
                        });
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            ItemsClient c = caller(Map.of("clients.items.url", "http://127.0.0.1:" + dripping.getLocalPort(),
                    "clients.items.retry.enabled", "false", "clients.items.request-timeout", "1s"));
            long start = System.nanoTime();
            assertThatThrownBy(() -> c.get("x")).isInstanceOfSatisfying(ClientTimeoutException.class,
                    e -> assertThat(e.getMessage()).contains("did not arrive within 1000 ms"));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not the minute the body would take")
                    .isLessThan(Duration.ofSeconds(20));
        }
    }

    @Test
    void fourHundredsDoNotOpenTheCircuitButFiveHundredsDo() {
        ScriptedServer s = server("a");
        s.defaultStatus = 404;
        ItemsClient c = caller(Map.of("clients.items.url", s.url(), "clients.items.retry.enabled", "false",
                "clients.items.circuit-breaker.window-size", "2", "clients.items.circuit-breaker.minimum-calls", "2"));
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> c.get("x")).isInstanceOf(RemoteProblemException.class);
        }
        assertThat(s.requests).hasValue(5);
        s.defaultStatus = 500; // the positive control: one 500 in the window of 2 is 50%, and the breaker opens
        assertThatThrownBy(() -> c.get("x")).isInstanceOf(RemoteProblemException.class);
        assertThatThrownBy(() -> c.get("x")).isInstanceOf(CircuitOpenException.class);
        assertThat(s.requests).hasValue(6);
    }

    /** Annotations on the interface: policies a target shares. */
    @Client("items")
    @Path("/items")
    @Retry(maxAttempts = 2, backoff = "1ms", jitter = 0)
    @Bulkhead(maxConcurrent = 1)
    public interface AnnotatedItems {
        @Get("/{id}")
        ItemsClient.Item get(@PathParam String id);

        @Head("/{id}")
        void head(@PathParam String id);
    }

    @Test
    void configurationOverridesTheAnnotation() {
        ScriptedServer s = server("a");
        s.defaultStatus = 503;
        ServiceBuilder b = Chassis.service("caller").property("server.port", "0").clock(clock)
                .property("clients.items.url", s.url());
        AnnotatedItems annotated = b.client(AnnotatedItems.class);
        open.add(b.start());
        assertThatThrownBy(() -> annotated.get("x")).isInstanceOf(RemoteProblemException.class);
        assertThat(s.requests).as("the annotation's 2 attempts").hasValue(2);

        s.requests.set(0);
        ServiceBuilder b2 = Chassis.service("caller2").property("server.port", "0").clock(clock)
                .property("clients.items.url", s.url()).property("clients.items.retry.max-attempts", "4");
        AnnotatedItems configured = b2.client(AnnotatedItems.class);
        open.add(b2.start());
        assertThatThrownBy(() -> configured.get("x")).isInstanceOf(RemoteProblemException.class);
        assertThat(s.requests).as("configuration's 4 attempts win").hasValue(4);
    }

    @Test
    void headCallsDoNotWaitForABody() {
        ScriptedServer s = server("a");
        ServiceBuilder b = Chassis.service("caller").property("server.port", "0").property("clients.items.url", s.url())
                .property("clients.items.request-timeout", "5s");
        AnnotatedItems client = b.client(AnnotatedItems.class);
        open.add(b.start());
        long t0 = System.nanoTime();
        client.head("x");
        assertThat(s.requests).hasValue(1);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("not the 5 s read timeout").isLessThan(Duration.ofSeconds(4));
    }

    /** A client that puts a shared policy on one method. */
    @Client("items")
    public interface MethodBreaker {
        @Get("/items/{id}")
        @CircuitBreaker
        ItemsClient.Item get(@PathParam String id);
    }

    @Test
    void aSharedPolicyOnAClientMethodIsRefused() {
        ServiceBuilder b = Chassis.service("caller").property("server.port", "0").property("clients.items.url", "http://localhost:1");
        b.client(MethodBreaker.class);
        assertThatThrownBy(b::start)
                .isInstanceOf(BindingException.class)
                .hasMessageContaining("MethodBreaker.get(String)")
                .hasMessageContaining("put it on the interface");
    }

    @Test
    void theRetryBudgetRefillsAsTheWindowMoves() {
        ScriptedServer s = server("a");
        s.defaultStatus = 503;
        ItemsClient c = caller(Map.of("clients.items.url", s.url(), "clients.items.retry.budget.ratio", "0",
                "clients.items.retry.budget.min-per-second", "1"));
        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(() -> c.get("x")).isInstanceOf(RemoteProblemException.class);
        }
        assertThat(s.requests).as("a floor of 1/s over a 10 s window: 10 retries").hasValue(30);
        clock.advance(Duration.ofSeconds(11));
        s.requests.set(0);
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> c.get("x")).isInstanceOf(RemoteProblemException.class);
        }
        assertThat(s.requests).as("a new window: retries again (2 per call, within the floor)").hasValue(15);
    }

    @Test
    void aConfiguredPolicyForAnUnknownTargetFailsStartUp() {
        assertThatThrownBy(() -> caller(Map.of("clients.items.url", "http://localhost:1",
                "clients.itmes.retry.max-attempts", "2")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("clients.itmes sets policies but no client of this service calls 'itmes'");
    }

    @Test
    void anOpenCircuitEscapingAHandlerIs503OfItsOwnType() {
        ScriptedServer s = server("a");
        s.defaultStatus = 500;
        ServiceBuilder b = Chassis.service("front").property("server.port", "0").clock(clock)
                .property("clients.items.url", s.url())
                .property("clients.items.circuit-breaker.window-size", "2")
                .property("clients.items.circuit-breaker.minimum-calls", "2")
                .property("clients.items.circuit-breaker.wait-in-open", "20s");
        ItemsClient items = b.client(ItemsClient.class);
        RunningService front = b.http(new Front(items)).start();
        open.add(front);
        var http = new TestClient(front.uri());
        assertThat(http.get("/front/x").status()).isEqualTo(502);
        assertThat(http.get("/front/x").status()).isEqualTo(502);
        var open503 = http.get("/front/x");
        assertThat(open503.status()).isEqualTo(503);
        assertThat(open503.json().get("type").asText()).isEqualTo(CircuitOpenException.TYPE);
        assertThat(open503.header("Retry-After")).contains("20");
        assertThat(s.requests).hasValue(2);
    }

    /** A handler that calls items. */
    @Path("/front")
    public static final class Front {
        private final ItemsClient items;

        Front(ItemsClient items) {
            this.items = items;
        }

        @Get("/{id}")
        public ItemsClient.Item get(@PathParam String id) {
            return items.get(id);
        }
    }

    @Test
    void unreachableTargetStaysUnreachableAfterRetries() {
        ItemsClient c = caller(Map.of("clients.items.url", "http://127.0.0.1:" + freePort()));
        assertThatThrownBy(() -> c.get("x")).isInstanceOf(UnreachableException.class);
    }

    @Test
    void badPolicyConfigurationFailsStartUpWithTheKeyAndRange() {
        assertThatThrownBy(() -> caller(Map.of("clients.items.url", "http://localhost:1",
                "clients.items.retry.max-attempts", "11")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("clients.items.retry.max-attempts = '11'")
                .hasMessageContaining("between 1 and 10");
        assertThatThrownBy(() -> caller(Map.of("clients.items.url", "http://localhost:1",
                "clients.items.circuit-breaker.failure-rate-threshold", "120")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("between 1 and 100");
        assertThatThrownBy(() -> caller(Map.of("clients.items.url", "http://localhost:1",
                "clients.items.retry.jitter", "2")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("clients.items.retry.jitter");
    }

    /** A client whose annotation asks for something impossible. */
    @Client("items")
    public interface BadRetry {
        @Get("/items/{id}")
        @Retry(maxAttempts = 0)
        ItemsClient.Item get(@PathParam String id);
    }

    @Test
    void badPolicyAnnotationFailsStartUpNamingTheMethod() {
        ServiceBuilder b = Chassis.service("caller").property("server.port", "0")
                .property("clients.items.url", "http://localhost:1");
        b.client(BadRetry.class);
        assertThatThrownBy(b::start)
                .isInstanceOf(BindingException.class)
                .hasMessageContaining("BadRetry.get(String)")
                .hasMessageContaining("clients.items.retry.max-attempts")
                .hasMessageContaining("between 1 and 10");
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
