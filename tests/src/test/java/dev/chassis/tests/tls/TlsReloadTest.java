package dev.chassis.tests.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.testing.Eventually;

/** Certificates rotated on disk while clients keep calling: no call fails, and new handshakes see the new one. */
class TlsReloadTest {

    @Test
    void aRotatedCertificateIsServedWithoutFailingACall() throws Exception {
        Pki pki = new Pki();
        RunningService service = pki.serving(Chassis.service("rotating").http(new ServerTlsTest.Hello()),
                pki.server("before")).start();
        AtomicBoolean calling = new AtomicBoolean(true);
        AtomicInteger calls = new AtomicInteger();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        List<Thread> callers = new ArrayList<>();
        try {
            // one caller on a kept-alive connection, one on a new connection (a new handshake) for every call
            for (boolean keepAlive : new boolean[] {true, false}) {
                callers.add(Thread.ofVirtual().start(() -> {
                    HttpClient shared = client(pki);
                    while (calling.get()) {
                        HttpClient client = keepAlive ? shared : client(pki);
                        try {
                            HttpResponse<String> r = client.send(HttpRequest.newBuilder(service.uri().resolve("/hello"))
                                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() != 200) {
                                failures.add(new AssertionError("status " + r.statusCode()));
                            }
                            calls.incrementAndGet();
                        } catch (Exception e) {
                            failures.add(e);
                        } finally {
                            if (!keepAlive) {
                                client.close();
                            }
                        }
                    }
                    shared.close();
                }));
            }
            Eventually.within(Duration.ofSeconds(30)).until("calls before the rotation", () -> calls.get() >= 10);
            assertThat(Pki.cn(Pki.handshake(pki.ca.clientContext(), service.port()))).isEqualTo("CN=before");

            pki.write("server", pki.server("after")); // the certificate, then the key: a moment where they differ

            Eventually.within(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(Pki.cn(Pki.handshake(pki.ca.clientContext(), service.port()))).isEqualTo("CN=after"));
            int seen = calls.get();
            Eventually.within(Duration.ofSeconds(30)).until("calls after the rotation", () -> calls.get() >= seen + 10);
        } finally {
            calling.set(false);
            for (Thread t : callers) {
                t.join(Duration.ofSeconds(30));
            }
            service.stop();
        }
        assertThat(failures).isEmpty();
    }

    private static HttpClient client(Pki pki) {
        return HttpClient.newBuilder().sslContext(pki.ca.clientContext()).connectTimeout(Duration.ofSeconds(10)).build();
    }
}
