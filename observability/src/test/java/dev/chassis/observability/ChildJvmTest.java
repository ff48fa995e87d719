package dev.chassis.observability;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chassis.testing.TestCertificates;
import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;

/**
 * What can only be seen from outside a JVM: the process's log lines and its environment. A service runs in a
 * child JVM with {@code logging.format: json} and standard {@code OTEL_*} environment variables.
 */
class ChildJvmTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    @Test
    void jsonLogLinesCarryTheRequestsTraceIdAndOtelVariablesAreHonoured() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        ProcessBuilder pb = new ProcessBuilder(java, "-Dlogging.format=json", "-cp", System.getProperty("java.class.path"),
                LoggingMain.class.getName());
        Map<String, String> env = pb.environment();
        env.put("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=ci,service.version=9.9.9");
        env.put("OTEL_TRACES_SAMPLER", "always_off");
        Process process = pb.start();
        List<String> errLines = new ArrayList<>();
        Thread errReader = drain(process, errLines);
        try {
            int port = port(process, errLines);
            TestClient client = new TestClient(URI.create("http://localhost:" + port));

            TestResponse logged = client.get("/log", "traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01");
            assertThat(logged.status()).isEqualTo(200);
            assertThat(logged.body()).contains(TRACE); // the context is continued even though nothing is sampled

            // OTEL_TRACES_SAMPLER=always_off: nothing recorded
            assertThat(client.get("/observe/traces/" + TRACE).status()).isEqualTo(404);
            // OTEL_RESOURCE_ATTRIBUTES: added to the resource, and an explicit service.version wins over Chassis'
            String metrics = client.get("/metrics").body();
            assertThat(metrics).contains("deployment_environment_name=\"ci\"").contains("service_version=\"9.9.9\"")
                    .contains("service_name=\"logger\"");
        } finally {
            process.getOutputStream().close(); // the child stops when its stdin closes
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            errReader.join(10_000);
        }
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> records = new ArrayList<>();
        synchronized (errLines) {
            for (String l : errLines) {
                assertThat(l).as("every line on stderr is one JSON object").startsWith("{").endsWith("}");
                records.add(mapper.readTree(l));
            }
        }
        JsonNode fromHandler = records.stream()
                .filter(r -> r.get("message").asText().equals("hello from the handler, with a parameter"))
                .findFirst().orElseThrow(() -> new AssertionError("no handler line in " + records));
        assertThat(fromHandler.get("level").asText()).isEqualTo("INFO");
        assertThat(fromHandler.get("logger").asText()).isEqualTo("dev.chassis.observability.demo");
        assertThat(fromHandler.get("service").asText()).isEqualTo("logger");
        assertThat(fromHandler.get("trace_id").asText()).isEqualTo(TRACE);
        assertThat(fromHandler.get("span_id").asText()).matches("[0-9a-f]{16}").isNotEqualTo("00f067aa0ba902b7");
        assertThat(fromHandler.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        // a line written outside any request has no trace id
        assertThat(records).anySatisfy(r -> {
            assertThat(r.get("message").asText()).contains("serving on port");
            assertThat(r.has("trace_id")).isFalse();
        });
    }

    @Test
    void aLoggingFileIsLeftAloneAndSpansAreLoggedAtDebugWhenItSaysSo() throws Exception {
        Path config = Files.createTempFile("logging", ".properties");
        // CHECKSTYLE:FQN-OFF: logging properties name classes
        Files.writeString(config, """
                handlers = java.util.logging.ConsoleHandler
                .level = WARNING
                java.util.logging.ConsoleHandler.level = FINE
                java.util.logging.ConsoleHandler.formatter = java.util.logging.SimpleFormatter
                java.util.logging.SimpleFormatter.format = %4$s %3$s %5$s%n
                dev.chassis.observability.spans.level = FINE
                """);
        // CHECKSTYLE:FQN-ON
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process process = new ProcessBuilder(java, "-Dlogging.format=json", "-Djava.util.logging.config.file=" + config,
                "-Dobservability.tracing.redact=user_agent.original",
                "-cp", System.getProperty("java.class.path"), LoggingMain.class.getName()).start();
        List<String> err = new ArrayList<>();
        Thread reader = drain(process, err);
        try {
            int port = port(process, err);
            TestClient client = new TestClient(URI.create("http://localhost:" + port));
            assertThat(client.get("/log", "traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01",
                    "User-Agent", "secret-agent-007").status()).isEqualTo(200);
        } finally {
            process.getOutputStream().close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            reader.join(10_000);
            Files.deleteIfExists(config);
        }
        synchronized (err) {
            // the file's format, not logging.format: json; its levels: the handler's INFO line is below WARNING
            assertThat(err).noneMatch(l -> l.startsWith("{"));
            assertThat(err).noneMatch(l -> l.contains("hello from the handler"));
            assertThat(err).anySatisfy(l -> assertThat(l).startsWith("FINE dev.chassis.observability.spans span SERVER GET /log")
                    .contains("trace_id=" + TRACE).contains("parent_id=00f067aa0ba902b7")
                    // the span log sees spans as the redactors leave them
                    .contains("user_agent.original=\"[redacted]\""));
            assertThat(err).noneMatch(l -> l.contains("secret-agent-007"));
        }
    }

    @Test
    void withPeerIdentityOnTheLinesOfAMutualTlsRequestNameTheCaller() throws Exception {
        Path dir = Files.createTempDirectory("chassis-peer-log-");
        TestCertificates ca = TestCertificates.authority("log test CA");
        ca.writePem(dir.resolve("ca.pem"));
        ca.issue("logger").dns("localhost").create().writePem(dir.resolve("server.pem"), dir.resolve("server.key"));
        TestCertificates.Issued caller = ca.issue("caller").spiffe("spiffe://test/caller").create();
        SSLContext client = ca.clientContext(caller);

        JsonNode on = handlerLine(dir, client, List.of("-Dlogging.peer-identity=true"), null);
        assertThat(on.get("peer").asText()).isEqualTo("spiffe://test/caller");
        assertThat(on.get("trace_id").asText()).isEqualTo(TRACE);
        JsonNode off = handlerLine(dir, client, List.of(), null);
        assertThat(off.has("peer")).as("logging.peer-identity is off by default").isFalse();
        assertThat(off.has("client")).as("logging.client-address is off by default").isFalse();
        assertThat(off.get("trace_id").asText()).isEqualTo(TRACE);
    }

    @Test
    void withClientAddressTheLinesOfARequestNameTheClientAsATrustedProxyForwardedIt() throws Exception {
        Path dir = Files.createTempDirectory("chassis-client-log-");
        TestCertificates ca = TestCertificates.authority("log test CA");
        ca.writePem(dir.resolve("ca.pem"));
        ca.issue("logger").dns("localhost").create().writePem(dir.resolve("server.pem"), dir.resolve("server.key"));
        SSLContext client = ca.clientContext(ca.issue("caller").dns("caller").create());

        JsonNode direct = handlerLine(dir, client, List.of("-Dlogging.client-address=true"), "203.0.113.7");
        assertThat(direct.get("client").asText()).as("the peer, not what an untrusted client forwards")
                .isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
        JsonNode proxied = handlerLine(dir, client, List.of("-Dlogging.client-address=true",
                "-Dserver.trusted-proxies=127.0.0.1/32,::1/128"), "203.0.113.7");
        assertThat(proxied.get("client").asText()).isEqualTo("203.0.113.7");
        assertThat(proxied.get("trace_id").asText()).isEqualTo(TRACE);
    }

    /** The handler's line of one mutual-TLS request to {@link LoggingMain} in a child JVM, as JSON. */
    private static JsonNode handlerLine(Path dir, SSLContext client, List<String> properties, String forwardedFor)
            throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java, "-Dlogging.format=json",
                "-Dtls.bundles.server.certificate=" + dir.resolve("server.pem"),
                "-Dtls.bundles.server.private-key=" + dir.resolve("server.key"),
                "-Dtls.bundles.server.trust=" + dir.resolve("ca.pem"),
                "-Dserver.tls.bundle=server", "-Dserver.tls.client-auth=required"));
        command.addAll(properties);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), LoggingMain.class.getName()));
        Process process = new ProcessBuilder(command).start();
        List<String> err = new ArrayList<>();
        Thread reader = drain(process, err);
        try {
            int port = port(process, err);
            try (HttpClient http = HttpClient.newBuilder().sslContext(client).build()) {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/log"))
                        .header("traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01");
                if (forwardedFor != null) {
                    request.header("X-Forwarded-For", forwardedFor);
                }
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
            }
        } finally {
            process.getOutputStream().close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            reader.join(10_000);
        }
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> records = new ArrayList<>();
        synchronized (err) {
            for (String l : err) {
                records.add(mapper.readTree(l));
            }
        }
        // a line outside any request names no caller
        assertThat(records).anySatisfy(r -> {
            assertThat(r.get("message").asText()).contains("serving on port");
            assertThat(r.has("peer")).isFalse();
        });
        return records.stream().filter(r -> r.get("message").asText().startsWith("hello from the handler"))
                .findFirst().orElseThrow(() -> new AssertionError("no handler line in " + records));
    }

    private static Thread drain(Process process, List<String> lines) {
        Thread t = new Thread(() -> {
            try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = err.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        t.start();
        return t;
    }

    private static int port(Process process, List<String> err) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("PORT ")) {
                return Integer.parseInt(line.substring(5).trim());
            }
        }
        synchronized (err) {
            throw new AssertionError("the child printed no port; stderr: " + err);
        }
    }
}
