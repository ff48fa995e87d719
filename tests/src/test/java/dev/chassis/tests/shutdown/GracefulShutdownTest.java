package dev.chassis.tests.shutdown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;

/**
 * Graceful shutdown as the standard says: readiness turns DOWN first, in-flight requests complete,
 * then the port closes; no request fails.
 */
class GracefulShutdownTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    @Timeout(60)
    void inFlightRequestsCompleteReadinessTurnsDownFirstAndNoRequestFails() throws Exception {
        int slow = 8;
        CountDownLatch entered = new CountDownLatch(slow);
        RunningService service = Chassis.service("graceful")
                .http(new SlowApi(SlowApi.countDown(entered)))
                .property("server.port", "0")
                .property("server.shutdown.delay", "1s")
                .start();
        URI base = service.uri();

        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < slow; i++) {
            inFlight.add(HTTP.sendAsync(get(base, "/slow?ms=1500&id=" + i), HttpResponse.BodyHandlers.ofString()));
        }
        assertThat(entered.await(20, TimeUnit.SECONDS)).as("all slow requests reached the handler").isTrue();

        // A client that behaves like a load balancer: keeps sending until readiness says DOWN.
        AtomicBoolean readinessDown = new AtomicBoolean();
        AtomicInteger served = new AtomicInteger();
        List<Throwable> failures = new ArrayList<>();
        Thread load = Thread.ofVirtual().start(() -> {
            while (!readinessDown.get()) {
                try {
                    HttpResponse<String> r = HTTP.send(get(base, "/fast"), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        served.incrementAndGet();
                    } else {
                        synchronized (failures) {
                            failures.add(new AssertionError("status " + r.statusCode()));
                        }
                    }
                    HttpResponse<String> ready = HTTP.send(get(base, "/health/ready"), HttpResponse.BodyHandlers.ofString());
                    if (ready.statusCode() == 503) {
                        readinessDown.set(true);
                    }
                } catch (Exception e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                    return;
                }
            }
        });

        Thread stopper = Thread.ofPlatform().start(service::stop);
        for (CompletableFuture<HttpResponse<String>> f : inFlight) {
            HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).startsWith("\"done ");
        }
        load.join(Duration.ofSeconds(30));
        stopper.join(Duration.ofSeconds(30));
        assertThat(failures).as("no request failed during shutdown").isEmpty();
        assertThat(readinessDown).as("readiness turned DOWN while the port was still open").isTrue();
        assertThat(served.get()).isPositive();
        assertThat(service.isRunning()).isFalse();
        assertThatThrownBy(() -> new Socket("127.0.0.1", service.port()).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    @Timeout(90)
    void sigtermStopsAServiceProcessGracefully() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                SlowServiceMain.class.getName())
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            int port = -1;
            List<String> seen = new ArrayList<>();
            String line;
            while (port < 0 && (line = out.readLine()) != null) {
                seen.add(line);
                if (line.startsWith("PORT ")) {
                    port = Integer.parseInt(line.substring(5).trim());
                }
            }
            assertThat(port).as("the child printed its port; output: %s", seen).isPositive();
            URI base = URI.create("http://127.0.0.1:" + port);

            int slow = 5;
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (int i = 0; i < slow; i++) {
                inFlight.add(HTTP.sendAsync(get(base, "/slow?ms=2000&id=" + i), HttpResponse.BodyHandlers.ofString()));
            }
            int enteredCount = 0;
            while (enteredCount < slow && (line = out.readLine()) != null) {
                if (line.startsWith("ENTERED ")) {
                    enteredCount++;
                }
            }
            assertThat(enteredCount).isEqualTo(slow);

            process.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its output
            for (CompletableFuture<HttpResponse<String>> f : inFlight) {
                HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
                assertThat(r.statusCode()).isEqualTo(200);
            }
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the process exits after SIGTERM").isTrue();
            assertThat(process.exitValue()).as("exit status of a JVM ended by SIGTERM").isEqualTo(143);
        } finally {
            process.destroyForcibly();
        }
    }

    private static HttpRequest get(URI base, String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).build();
    }

}
