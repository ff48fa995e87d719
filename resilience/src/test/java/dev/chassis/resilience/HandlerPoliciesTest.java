package dev.chassis.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Chassis;
import dev.chassis.core.Problem;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.http.BindingException;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.TestResponse;
import dev.chassis.testing.TestService;

/** Policies declared on handler methods, seen from a client over real sockets. */
class HandlerPoliciesTest {
    static final CountDownLatch RELEASE = new CountDownLatch(1);
    static final AtomicInteger INSIDE = new AtomicInteger();
    static final AtomicInteger MAX_INSIDE = new AtomicInteger();
    static final AtomicInteger FLAKY_CALLS = new AtomicInteger();
    static final CountDownLatch SLOW_INTERRUPTED = new CountDownLatch(1);

    @Path("/h")
    public static final class Api {
        @Get("/limited")
        @RateLimiter(limit = 2, period = "1h")
        public String limited() {
            return "ok";
        }

        @Get("/bulkhead")
        @Bulkhead(maxConcurrent = 2)
        public String bulkhead() throws InterruptedException {
            int now = INSIDE.incrementAndGet();
            MAX_INSIDE.accumulateAndGet(now, Math::max);
            try {
                RELEASE.await(30, TimeUnit.SECONDS);
            } finally {
                INSIDE.decrementAndGet();
            }
            return "done";
        }

        @Get("/flaky/{failures}")
        @Retry(maxAttempts = 3, backoff = "1ms")
        public int flaky(@PathParam int failures) {
            int n = FLAKY_CALLS.incrementAndGet();
            if (n <= failures) {
                throw new IllegalStateException("transient");
            }
            return n;
        }

        @Get("/not-found")
        @Retry(maxAttempts = 3, backoff = "1ms")
        public String notFound() {
            FLAKY_CALLS.incrementAndGet();
            throw Problem.notFound("never there");
        }

        @Get("/slow")
        @TimeLimit("200ms")
        public String slow() throws InterruptedException {
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                SLOW_INTERRUPTED.countDown();
                throw e;
            }
            return "late";
        }

        /** What a time-limited handler runs with: the request's deadline and trace. */
        @Get("/context")
        @TimeLimit("5s")
        public String context() {
            io.grpc.Deadline deadline = io.grpc.Context.current().getDeadline(); // CHECKSTYLE:FQN-OK
            return (deadline == null ? "no deadline" : "deadline") + " "
                    + io.opentelemetry.api.trace.Span.current().getSpanContext().getTraceId(); // CHECKSTYLE:FQN-OK
        }

        @Get("/configured")
        public String configured() {
            return "ok";
        }
    }

    @RegisterExtension
    static final TestService service = TestService.of(() -> Chassis.service("policies").http(new Api())
            .property("handlers.api.configured.rate-limiter.limit", "1")
            .property("handlers.api.configured.rate-limiter.period", "1h"));

    @AfterAll
    static void release() {
        RELEASE.countDown();
    }

    @Test
    void rateLimitedHandlerAnswers429WithRetryAfter() {
        assertThat(service.client().get("/h/limited").status()).isEqualTo(200);
        assertThat(service.client().get("/h/limited").status()).isEqualTo(200);
        TestResponse r = service.client().get("/h/limited");
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.header("Retry-After")).contains("3600");
        assertThat(r.header("Content-Type")).contains("application/problem+json");
    }

    @Test
    void configurationAloneDeclaresAPolicy() {
        assertThat(service.client().get("/h/configured").status()).isEqualTo(200);
        assertThat(service.client().get("/h/configured").status()).isEqualTo(429);
    }

    @Test
    void bulkheadCapsConcurrencyAndRejectsTheRestWith503() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create(service.uri() + "/h/bulkhead")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        // 4 are refused at once while 2 wait inside the handler for the latch
        Eventually within = Eventually.within(Duration.ofSeconds(20));
        long rejected = within.get("4 calls answered", () -> calls.stream().filter(CompletableFuture::isDone).count(),
                n -> n >= 4);
        assertThat(rejected).isEqualTo(4);
        // permits are taken just before INSIDE counts
        within.until("2 calls inside the handler", () -> INSIDE.get() >= 2);
        for (CompletableFuture<HttpResponse<String>> c : calls) {
            if (c.isDone()) {
                assertThat(c.get().statusCode()).isEqualTo(503);
                assertThat(c.get().headers().firstValue("Retry-After")).contains("1");
            }
        }
        assertThat(INSIDE.get()).isEqualTo(2);
        RELEASE.countDown();
        long ok = 0;
        for (CompletableFuture<HttpResponse<String>> c : calls) {
            if (c.get(20, TimeUnit.SECONDS).statusCode() == 200) {
                ok++;
            }
        }
        assertThat(ok).isEqualTo(2);
        assertThat(MAX_INSIDE.get()).isEqualTo(2);
    }

    @Test
    void handlerRetryRunsTheMethodAgainButNotFor4xxProblems() {
        FLAKY_CALLS.set(0);
        assertThat(service.client().get("/h/flaky/2").body()).isEqualTo("3");
        FLAKY_CALLS.set(0);
        assertThat(service.client().get("/h/flaky/5").status()).isEqualTo(500);
        assertThat(FLAKY_CALLS).hasValue(3);
        FLAKY_CALLS.set(0);
        assertThat(service.client().get("/h/not-found").status()).isEqualTo(404);
        assertThat(FLAKY_CALLS).hasValue(1);
    }

    @Test
    void timeLimitedHandlerAnswers503() throws InterruptedException {
        TestResponse r = service.client().get("/h/slow");
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.json().get("detail").asText()).contains("200 ms");
        assertThat(SLOW_INTERRUPTED.await(10, TimeUnit.SECONDS)).as("the late handler was interrupted").isTrue();
    }

    /**
     * The handler runs on a thread of the time limit's: the request's deadline (server.request-timeout) goes with it
     * (its trace and caller too: TimeLimitContextTest in the tests module, where observability and callers are).
     */
    @Test
    void aTimeLimitedHandlerKeepsTheRequestsDeadline() {
        TestResponse r = service.client().get("/h/context");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).startsWith("\"deadline ");
    }

    @Test
    void aPolicyKeyForAnUnknownHandlerFailsStartUp() {
        assertThatThrownBy(() -> Chassis.service("typo").property("server.port", "0").http(new Api())
                .property("handlers.api.configurd.rate-limiter.limit", "1").start())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("handlers.api.configurd names no handler");
    }

    @Test
    void aMisspeltHandlerKeyGetsTheHandlerItMeantAndAMisspeltPolicyKeyTheKeyItMeant() {
        assertThatThrownBy(() -> Chassis.service("typo").property("server.port", "0").http(new Api())
                .property("handlers.api.configurd.rate-limiter.limit", "1").start())
                .hasMessageContaining("handlers.api.configurd names no handler of this service."
                        + " Did you mean handlers.api.configured?");
        assertThatThrownBy(() -> Chassis.service("typo").property("server.port", "0").http(new Api())
                .property("handlers.api.configured.rate-limiter.limt", "1").start())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Did you mean handlers.api.configured.rate-limiter.limit?");
    }

    @Path("/bad")
    public static final class BadApi {
        @Get
        @Bulkhead(maxConcurrent = 0)
        public String get() {
            return "";
        }
    }

    @Test
    void badAnnotationFailsStartUp() {
        ServiceBuilder b = Chassis.service("bad").property("server.port", "0").http(new BadApi());
        assertThatThrownBy(b::start)
                .isInstanceOf(BindingException.class)
                .hasMessageContaining("BadApi.get()")
                .hasMessageContaining("handlers.bad-api.get.bulkhead.max-concurrent")
                .hasMessageContaining("between 1 and 10000");
    }
}
