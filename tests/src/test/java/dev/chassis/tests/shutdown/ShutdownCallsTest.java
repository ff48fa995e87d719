package dev.chassis.tests.shutdown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Chassis;
import dev.chassis.testing.Eventually;
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

    /** Adds every item it is given, and remembers their ids. */
    public static final class Catalog implements CatalogApi {
        static final Set<String> ADDED = ConcurrentHashMap.newKeySet();

        @Override
        public Item add(Item item) {
            ADDED.add(item.id());
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
            assertQuietStart(out, "orders");
        }
    }

    @Test
    @Timeout(90)
    void aMessageInFlightAtSigtermCallsAnotherServiceAndIsCommitted() throws Exception {
        // the messaging module is on the class path only in the with-messaging execution (tests/pom.xml); -Dtest=...
        // runs this class in the default execution too, where it cannot run
        assumeTrue(System.getProperty("test.with-messaging") != null, "runs in the with-messaging execution");
        try (ChildJvm stocker = ChildJvm.start(ConsumingServiceMain.class, catalog.uri().toString())) {
            URI base = URI.create("http://127.0.0.1:" + stocker.port(WAIT));
            HttpResponse<String> published = HTTP.send(HttpRequest.newBuilder(base.resolve("/requests?id=m1"))
                    .POST(HttpRequest.BodyPublishers.noBody()).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(published.statusCode()).as(published.body()).isEqualTo(202);
            stocker.await(l -> l.equals("ENTERED m1"), WAIT);

            stocker.terminate();
            stocker.await(l -> l.equals("HANDLED m1"), WAIT);
            assertThat(Catalog.ADDED).contains("m1");
            // the consumers have stopped and the port is open for the shutdown delay: the group has nothing left
            Pattern lag = Pattern.compile("messaging_consumer_lag\\{[^}]*messaging_destination_name=\""
                    + Pattern.quote(ConsumingServiceMain.TOPIC) + "\"[^}]*} (\\S+)");
            Eventually.within(WAIT).get("the consumer lag of " + ConsumingServiceMain.TOPIC + " is 0", () -> metrics(base),
                    text -> {
                        var m = lag.matcher(text);
                        return m.find() && Double.parseDouble(m.group(1)) == 0;
                    });
            assertThat(stocker.exitValue(WAIT)).isEqualTo(143);
            List<String> out = stocker.output();
            assertThat(out).as("the handler ran once").filteredOn(l -> l.equals("ENTERED m1")).hasSize(1);
            assertThat(out).as("the shutdown is in the log").anyMatch(l -> l.contains("stocker: shutting down"))
                    .anyMatch(l -> l.matches(".*stocker: stopped after \\d+ ms \\(drain \\d+ ms.*"));
            assertQuietStart(out, "stocker");
        }
    }

    /** One start line that says it all; no SLF4J fallback, no Helidon preview or start-up lines, no validator version. */
    private static void assertQuietStart(List<String> out, String service) {
        assertThat(out).filteredOn(l -> l.contains(" serving on port ")).singleElement().asString()
                .matches(".* " + service + " \\S+ serving on port \\d+ \\(HTTP\\), profile none, ready in \\d+ ms"
                        + " \\(instance " + service + "-\\w+\\)");
        assertThat(out).noneMatch(l -> l.contains("SLF4J")).noneMatch(l -> l.toLowerCase().contains("preview"))
                .noneMatch(l -> l.contains("Started all channels")).noneMatch(l -> l.contains("Hibernate Validator"));
    }

    private static String metrics(URI base) {
        try {
            return HTTP.send(HttpRequest.newBuilder(base.resolve("/metrics")).timeout(WAIT).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "unreadable: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
