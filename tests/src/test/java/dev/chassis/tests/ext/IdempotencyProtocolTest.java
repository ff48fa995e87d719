package dev.chassis.tests.ext;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.Problem;
import dev.chassis.core.RunningService;
import dev.chassis.core.http.Body;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.core.http.Post;
import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;

/** Core's side of Idempotency-Key, over a test store: which requests, failures of the store, busy keys. */
class IdempotencyProtocolTest {
    record Item(String name) {
    }

    @Path("/items")
    public static final class Items {
        final AtomicInteger runs = new AtomicInteger();

        @Post
        public Item add(@Body Item item) {
            runs.incrementAndGet();
            if (item.name().equals("missing")) {
                throw Problem.notFound("no such shelf");
            }
            return item;
        }

        @Get("/{name}")
        public Item get(@PathParam String name) {
            runs.incrementAndGet();
            return new Item(name);
        }
    }

    private static RunningService start(String mode, Items items) {
        return Chassis.service("items").property("server.port", "0").property("test-store.mode", mode).http(items)
                .start();
    }

    @Test
    void onlyPostAndPatchWithAKeyGoThroughTheStoreAndErrorsAreKeptOrReleased() {
        Items items = new Items();
        try (RunningService s = start("memory", items)) {
            TestClient client = new TestClient(s.uri());
            assertThat(client.get("/items/a", "Idempotency-Key", "g").status()).isEqualTo(200);
            assertThat(client.post("/items", "{\"name\":\"a\"}").status()).isEqualTo(200);
            assertThat(TestStoreExtension.CALLS).isEmpty();

            assertThat(client.post("/items", "{\"name\":\"missing\"}", "Idempotency-Key", "m").status()).isEqualTo(404);
            TestResponse replayed = client.post("/items", "{\"name\":\"missing\"}", "Idempotency-Key", "m");
            assertThat(replayed.status()).isEqualTo(404);
            assertThat(replayed.header("Content-Type")).hasValue("application/problem+json");
            assertThat(replayed.header("Idempotent-Replayed")).hasValue("true");
            assertThat(TestStoreExtension.CALLS).containsExactly("claim:m", "complete:m:404", "claim:m");
            assertThat(items.runs.get()).isEqualTo(3);
        }
    }

    @Test
    void aStoreThatIsDownAnswers503WithoutRunningTheHandler() {
        Items items = new Items();
        try (RunningService s = start("down", items)) {
            TestResponse r = new TestClient(s.uri()).post("/items", "{\"name\":\"a\"}", "Idempotency-Key", "k");
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.header("Retry-After")).hasValue("1");
            assertThat(r.body()).doesNotContain("the store is down"); // nothing from inside leaks
            assertThat(items.runs.get()).isZero();
        }
    }

    @Test
    void aKeyInProgressPastTheWaitIs409() {
        Items items = new Items();
        try (RunningService s = start("busy", items)) {
            TestResponse r = new TestClient(s.uri()).post("/items", "{\"name\":\"a\"}", "Idempotency-Key", "k");
            assertThat(r.status()).isEqualTo(409);
            assertThat(r.header("Retry-After")).hasValue("1");
            assertThat(r.json().get("detail").asText()).contains("still in progress");
            assertThat(items.runs.get()).isZero();
            assertThat(TestStoreExtension.CALLS.size()).as("claims while waiting").isGreaterThan(1);
        }
    }

    /**
     * Keys are scoped by the verified principal: two callers who happen to send the same key each get their own
     * answer, never the other's. The verified token is simulated here ({@link SimulatedAuthExtension} registers the
     * {@code Caller} a real authenticating filter would); the security module tests the real verification.
     */
    @Test
    void twoVerifiedPrincipalsWithTheSameKeyDoNotSeeEachOthersAnswer() {
        Items items = new Items();
        try (RunningService s = Chassis.service("items").property("server.port", "0")
                .property("test-store.mode", "memory").property("test-auth.enabled", "true").http(items).start()) {
            TestClient client = new TestClient(s.uri());
            TestResponse alice = client.post("/items", "{\"name\":\"alice's\"}", "Idempotency-Key", "k", "X-Test-Subject", "alice");
            TestResponse bob = client.post("/items", "{\"name\":\"alice's\"}", "Idempotency-Key", "k", "X-Test-Subject", "bob");
            assertThat(alice.status()).isEqualTo(200);
            assertThat(bob.status()).isEqualTo(200);
            assertThat(bob.header("Idempotent-Replayed")).as("bob's request ran: not alice's answer").isEmpty();
            assertThat(items.runs.get()).isEqualTo(2);

            TestResponse again = client.post("/items", "{\"name\":\"alice's\"}", "Idempotency-Key", "k", "X-Test-Subject",
                    "alice");
            assertThat(again.header("Idempotent-Replayed")).as("alice's repeat is hers").hasValue("true");
            assertThat(items.runs.get()).isEqualTo(2);
            List<String> claimed = TestStoreExtension.CALLS.stream().filter(c -> c.startsWith("claim:")).toList();
            assertThat(claimed).hasSize(3).allMatch(c -> c.endsWith(":k"));
            assertThat(claimed.get(0)).as("stored per principal").isNotEqualTo(claimed.get(1)).isEqualTo(claimed.get(2));

            // a caller without credentials who sends alice's key as stored (its scope's hash is no secret) gets a
            // 400, not her answer
            String alicesStoredKey = claimed.get(0).substring("claim:".length());
            TestResponse anonymous = client.post("/items", "{\"name\":\"alice's\"}", "Idempotency-Key", alicesStoredKey);
            assertThat(anonymous.status()).isEqualTo(400);
            assertThat(anonymous.header("Idempotent-Replayed")).isEmpty();
            assertThat(anonymous.json().get("detail").asText()).contains("24 hexadecimal digits and a colon");
            assertThat(items.runs.get()).isEqualTo(2);
            // an ordinary key of such a caller is kept as it is
            assertThat(client.post("/items", "{\"name\":\"x\"}", "Idempotency-Key", "0bacd20e:k").status()).isEqualTo(200);
        }
    }
}
