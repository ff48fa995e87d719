package dev.chassis.tests.ext;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.http.Body;
import dev.chassis.core.http.Post;
import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;

/**
 * Idempotency-Key requests keep memory bounded: request bodies held to fingerprint them stay within
 * {@code server.idempotency.buffer-memory} (above it: 503 with Retry-After), and answers over
 * {@code server.idempotency.max-answer-size} are sent but not kept.
 */
class IdempotencyMemoryTest {
    /** Stores blobs; answers their size, or — for {@code /echo} — the blob itself. */
    public static final class Blobs {
        final AtomicInteger runs = new AtomicInteger();

        @Post("/blobs")
        public Receipt put(@Body byte[] blob) {
            runs.incrementAndGet();
            return new Receipt(blob.length);
        }

        @Post("/echo")
        public Echoed echo(@Body String text) {
            runs.incrementAndGet();
            return new Echoed(text);
        }
    }

    /** The answer of {@code /echo}. */
    public record Echoed(String text) {
    }

    /** The answer to a stored blob. */
    public record Receipt(int size) {
    }

    /** The service of the memory test, in its own JVM with a small heap: prints its port, then serves. */
    public static void main(String[] args) {
        RunningService s = Chassis.service("blobs").property("server.port", "0").property("test-store.mode", "memory")
                .http(new Blobs()).start();
        System.out.println("port=" + s.port());
        System.out.flush();
    }

    @Test
    void twoHundredConcurrentTenMegabyteKeyedPostsNeitherExhaustTheHeapNorGoUnanswered() throws Exception {
        Path err = Files.createTempFile("blobs", ".err");
        Process service = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                IdempotencyMemoryTest.class.getName())
                .redirectError(err.toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(service.getInputStream(), StandardCharsets.UTF_8));
            String line;
            int port = -1;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("port=")) {
                    port = Integer.parseInt(line.substring(5));
                    break;
                }
            }
            assertThat(port).as("the service's port; its stderr: %s", Files.readString(err)).isPositive();
            URI base = URI.create("http://localhost:" + port);

            byte[] blob = new byte[10 * 1024 * 1024];
            Arrays.fill(blob, (byte) 'x');
            List<Integer> statuses = new ArrayList<>();
            try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(30)).build()) {
                List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    calls.add(client.sendAsync(HttpRequest.newBuilder(base.resolve("/blobs"))
                            .header("Content-Type", "application/octet-stream").header("Idempotency-Key", "k" + i)
                            .timeout(Duration.ofMinutes(2)).POST(HttpRequest.BodyPublishers.ofByteArray(blob)).build(),
                            HttpResponse.BodyHandlers.ofString()));
                }
                for (CompletableFuture<HttpResponse<String>> call : calls) {
                    HttpResponse<String> r = call.get(3, TimeUnit.MINUTES);
                    statuses.add(r.statusCode());
                    if (r.statusCode() == 200) {
                        assertThat(r.body()).isEqualTo("{\"size\":" + blob.length + "}");
                    } else {
                        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
                        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                        assertThat(r.headers().firstValue("Retry-After")).isPresent();
                    }
                }
                assertThat(statuses).hasSize(200).contains(200);
                assertThat(service.isAlive()).as("the service survived; its stderr: %s", Files.readString(err)).isTrue();
                HttpResponse<String> health = client.send(HttpRequest.newBuilder(base.resolve("/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
            }
            assertThat(Files.readString(err)).doesNotContain("OutOfMemoryError");
        } finally {
            service.destroy();
            if (!service.waitFor(30, TimeUnit.SECONDS)) {
                service.destroyForcibly();
            }
            Files.deleteIfExists(err);
        }
    }

    @Test
    void anAnswerOverTheLimitIsSentButNotKeptSoARetryRunsAgain() throws IOException {
        Blobs blobs = new Blobs();
        try (RunningService s = Chassis.service("blobs").property("server.port", "0").property("test-store.mode", "memory")
                .property("server.idempotency.max-answer-size", "1KB").http(blobs).start()) {
            TestClient client = new TestClient(s.uri());
            String small = "s".repeat(100);
            String large = "l".repeat(5000);
            assertThat(client.post("/echo", small, "Idempotency-Key", "small").status()).isEqualTo(200);
            TestResponse again = client.post("/echo", small, "Idempotency-Key", "small");
            assertThat(again.header("Idempotent-Replayed")).hasValue("true");

            TestResponse first = client.post("/echo", large, "Idempotency-Key", "large");
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.body()).isEqualTo("{\"text\":\"" + large + "\"}");
            TestResponse retry = client.post("/echo", large, "Idempotency-Key", "large");
            assertThat(retry.status()).isEqualTo(200);
            assertThat(retry.body()).isEqualTo(first.body());
            assertThat(retry.header("Idempotent-Replayed")).isEmpty();
            assertThat(blobs.runs.get()).isEqualTo(3);
            assertThat(TestStoreExtension.CALLS).contains("release:large").doesNotContain("complete:large:200");
        }
    }

    @Test
    void aBufferTooSmallForTheBodyAnswers503BeforeRunning() {
        Blobs blobs = new Blobs();
        try (RunningService s = Chassis.service("blobs").property("server.port", "0").property("test-store.mode", "memory")
                .property("server.idempotency.buffer-memory", "64KB").http(blobs).start()) {
            TestClient client = new TestClient(s.uri());
            TestResponse refused = client.post("/blobs", "x".repeat(200_000), "Idempotency-Key", "big");
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.header("Retry-After")).hasValue("1");
            assertThat(blobs.runs.get()).isZero();
            assertThat(client.post("/blobs", "x".repeat(1000), "Idempotency-Key", "small").status()).isEqualTo(200);
        }
    }
}
