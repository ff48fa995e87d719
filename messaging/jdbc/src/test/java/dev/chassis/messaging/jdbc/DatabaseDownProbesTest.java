package dev.chassis.messaging.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.http.Body;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.Post;

/**
 * The database is down from start-up and 500 keyed requests wait on the Idempotency-Key store (the pool, the schema
 * lock): the health probes still answer, because nothing waiting on the database holds a carrier thread.
 */
class DatabaseDownProbesTest {
    public record Note(String text) {
    }

    @Path("/notes")
    public static final class Notes {
        @Post
        public Note add(@Body Note note) {
            return note;
        }
    }

    @Test
    void healthProbesAnswerWhile500KeyedRequestsWaitOnADatabaseThatIsDown() throws Exception {
        RunningService s = Chassis.service("notes").property("server.port", "0").property("server.shutdown.delay", "0s")
                .property("datasource.url", "jdbc:h2:tcp://127.0.0.1:1/nowhere")
                .property("datasource.connection-timeout", "5s").http(new Notes()).start();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(threads)
                .connectTimeout(Duration.ofSeconds(30)).build();
        try {
            List<CompletableFuture<HttpResponse<String>>> keyed = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                keyed.add(client.sendAsync(HttpRequest.newBuilder(s.uri().resolve("/notes"))
                        .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                        .header("Idempotency-Key", "k-" + i)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"n" + i + "\"}")).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            // a generous client timeout: the point is that they answer at all while the keyed requests wait
            HttpResponse<String> live = probe(client, s.uri().resolve("/health/live"));
            HttpResponse<String> ready = probe(client, s.uri().resolve("/health/ready"));
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("\"database\"");
            CompletableFuture.allOf(keyed.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
            for (CompletableFuture<HttpResponse<String>> f : keyed) {
                assertThat(f.get().statusCode()).as("answered with a problem, not served without its store")
                        .isGreaterThanOrEqualTo(500);
            }
        } finally {
            threads.shutdownNow();
            s.stop();
        }
    }

    private static HttpResponse<String> probe(HttpClient client, URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
