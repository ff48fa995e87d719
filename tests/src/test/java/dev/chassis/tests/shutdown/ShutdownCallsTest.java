package dev.chassis.tests.shutdown;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Chassis;
import dev.chassis.testing.TestService;

/**
 * What a request or a message still being handled when its process gets SIGTERM may use: everything it used before.
 * Clients, channels, the publisher and data sources close after the drain, not before.
 */
class ShutdownCallsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @RegisterExtension
    static final TestService catalog = TestService.of(() -> Chassis.service("catalog")
            .http(new Catalog()));

    /** Adds every item it is given. */
    public static final class Catalog implements CatalogApi {
        @Override
        public Item add(Item item) {
            return item;
        }
    }

    @Test
    @Timeout(90)
    void aRequestInFlightAtSigtermCallsAnotherServiceAndAnswers201() throws Exception {
        try (ChildJvm orders = ChildJvm.start(CallingServiceMain.class, catalog.uri().toString())) {
            URI base = URI.create("http://127.0.0.1:" + orders.port(WAIT));
            int slow = 3;
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (int i = 0; i < slow; i++) {
                inFlight.add(HTTP.sendAsync(HttpRequest.newBuilder(base.resolve("/orders?ms=1500&id=o" + i))
                        .POST(HttpRequest.BodyPublishers.noBody()).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (int i = 0; i < slow; i++) {
                String id = "o" + i;
                orders.await(l -> l.equals("ENTERED " + id), WAIT);
            }

            orders.terminate();
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> f : inFlight) {
                answers.add(f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            }
            assertThat(orders.exitValue(WAIT)).isEqualTo(143);
            List<String> out = orders.output();
            assertThat(answers).as("answers; the child's output:\n%s", String.join("\n", out)).allSatisfy(r -> {
                assertThat(r.statusCode()).isEqualTo(201);
                assertThat(r.body()).startsWith("{\"id\":\"o");
            });
            assertThat(out).as("the shutdown is in the log").anyMatch(l -> l.contains("orders: shutting down"))
                    .anyMatch(l -> l.matches(".*orders: stopped after \\d+ ms \\(drain \\d+ ms.*"));
        }
    }
}
