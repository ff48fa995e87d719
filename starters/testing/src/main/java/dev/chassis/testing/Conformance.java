package dev.chassis.testing;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import dev.chassis.core.RunningService;

/**
 * Checks from outside, over real sockets, that a running service follows the Chassis communication standard
 * (STANDARD.md): health endpoints and their shape, {@code /info}, problem+json for unknown routes, wrong methods and
 * bad input, {@code traceparent} continued into the problem's {@code traceId}, {@code /metrics} in the Prometheus text
 * format (on the management port when the service has one, with 404 problems for them on the service port), and
 * gRPC health on the service port. Any service — generated, sample or hand-written — runs it in its tests:
 *
 * <pre>{@code
 * @Test
 * void followsTheStandard() {
 *     Conformance.of(service.running()).badInput("POST", "/orders").check();
 * }
 * }</pre>
 *
 * {@link #check()} reports every violation at once, in an {@link AssertionError}.
 */
public final class Conformance {
    private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\\n]|\\\\.)*\"";
    private static final String NUMBER = "[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?Inf|NaN";
    /** A sample line of the Prometheus text format: {@code name{l="v",...} value [timestamp]}. */
    static final Pattern SAMPLE = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{(" + LABEL + "(," + LABEL + ")*,?)?})?"
            + "[ \\t]+(" + NUMBER + ")([ \\t]+-?[0-9]+)?[ \\t]*");
    /** {@code # HELP name text} or {@code # TYPE name type}; other comments are free text. */
    static final Pattern HELP_OR_TYPE = Pattern.compile("#[ \\t]+(HELP|TYPE)\\b.*");
    static final Pattern VALID_HELP_OR_TYPE = Pattern.compile(
            "#[ \\t]+HELP[ \\t]+[a-zA-Z_:][a-zA-Z0-9_:]*([ \\t].*)?"
                    + "|#[ \\t]+TYPE[ \\t]+[a-zA-Z_:][a-zA-Z0-9_:]*[ \\t]+(counter|gauge|histogram|summary|untyped)[ \\t]*");

    private final URI base;
    private final TestClient client;
    private URI managementBase;
    private TestClient management;
    private final List<String[]> badInputs = new ArrayList<>();
    private boolean metrics = true;
    private boolean grpc = true;

    private Conformance(URI base) {
        this.base = base;
        this.client = new TestClient(base);
        this.managementBase = base;
        this.management = client;
    }

    /** The checks for the service at {@code base} ({@code http://localhost:8080}). */
    public static Conformance of(URI base) {
        return new Conformance(base);
    }

    /**
     * The contract check of a running service against its own OpenAPI document (chassis-openapi): the answers to the
     * requests given must be those the document lists. See {@link OpenApiContract}.
     */
    public static OpenApiContract openApi(RunningService service) {
        return OpenApiContract.of(service);
    }

    /**
     * The checks for a running service: its service port and, when it has one, its management port
     * ({@code management.port}).
     */
    public static Conformance of(RunningService service) {
        return of(service.uri()).management(service.managementUri());
    }

    /**
     * Where the service serves {@code /health/*}, {@code /info} and {@code /metrics}: its management port. When it
     * is not {@code base}, the service port must answer 404 problems for them.
     */
    public Conformance management(URI managementBase) {
        this.managementBase = Objects.requireNonNull(managementBase, "managementBase");
        this.management = managementBase.equals(base) ? client : new TestClient(managementBase);
        return this;
    }

    /** Also sends malformed JSON to this JSON endpoint and expects a 400 problem without internals. */
    public Conformance badInput(String method, String path) {
        return badInput(method, path, new String[0]);
    }

    /**
     * The same, sending these headers too (name, value, name, value, ...): for an endpoint that needs credentials
     * before it reads a body, such as {@code "Authorization", "Bearer " + token}.
     */
    public Conformance badInput(String method, String path, String... headers) {
        if (headers.length % 2 != 0) {
            throw new IllegalArgumentException("headers come in name-value pairs, but an odd number ("
                    + headers.length + ") was given");
        }
        String[] entry = new String[headers.length + 2];
        entry[0] = method;
        entry[1] = path;
        System.arraycopy(headers, 0, entry, 2, headers.length);
        badInputs.add(entry);
        return this;
    }

    /** Skips {@code /metrics}: for a service built without chassis-observability. */
    public Conformance withoutMetrics() {
        metrics = false;
        return this;
    }

    /** Skips gRPC health: for a service that serves no gRPC. */
    public Conformance withoutGrpc() {
        grpc = false;
        return this;
    }

    /** Runs every check; throws an {@link AssertionError} listing every violation. */
    public void check() {
        List<String> problems = new ArrayList<>();
        health(problems);
        info(problems);
        unknownRouteAndTrace(problems);
        wrongMethod(problems);
        if (!managementBase.equals(base)) {
            for (String path : List.of("/health/ready", "/info", "/metrics")) {
                problem(client.get(path), "GET " + path + " on the service port (management is on "
                        + managementBase + ")", 404, problems);
            }
        }
        for (String[] b : badInputs) {
            badInput(b[0], b[1], Arrays.copyOfRange(b, 2, b.length), problems);
        }
        if (metrics) {
            metrics(problems);
        }
        if (grpc) {
            grpcHealth(problems);
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("the service at " + base + " does not follow the Chassis standard:\n- "
                    + String.join("\n- ", problems));
        }
    }

    private static Optional<JsonNode> json(TestResponse r, String what, List<String> problems) {
        try {
            return Optional.of(r.json());
        } catch (RuntimeException e) {
            problems.add(what + ": the body is not JSON: " + abbreviate(r.body()));
            return Optional.empty();
        }
    }

    private void health(List<String> problems) {
        for (String path : List.of("/health/live", "/health/ready", "/health/started")) {
            TestResponse r = management.get(path);
            if (r.status() != 200 && r.status() != 503) {
                problems.add(path + " answered " + r.status() + "; expected 200 (UP) or 503 (DOWN)");
                continue;
            }
            json(r, path, problems).ifPresent(body -> {
                String status = body.path("status").asText("");
                if (!status.equals("UP") && !status.equals("DOWN")) {
                    problems.add(path + ": \"status\" is '" + status + "', not UP or DOWN");
                }
                if ((r.status() == 200) != status.equals("UP")) {
                    problems.add(path + ": status " + r.status() + " does not match \"status\":\"" + status + "\"");
                }
                if (!body.path("checks").isArray()) {
                    problems.add(path + ": no \"checks\" array");
                } else {
                    body.path("checks").forEach(c -> {
                        if (!c.path("name").isTextual() || !c.path("status").isTextual()) {
                            problems.add(path + ": a check without \"name\" and \"status\": " + c);
                        }
                    });
                }
            });
        }
        if (management.get("/health/live").status() != 200) {
            problems.add("/health/live is not UP on a running service");
        }
    }

    private void info(List<String> problems) {
        TestResponse r = management.get("/info");
        if (r.status() != 200) {
            problems.add("/info answered " + r.status() + "; expected 200");
            return;
        }
        json(r, "/info", problems).ifPresent(body -> {
            for (String field : List.of("name", "version", "instanceId", "startTime", "protocols")) {
                if (body.path(field).isMissingNode() || body.path(field).isNull()) {
                    problems.add("/info has no \"" + field + "\"");
                }
            }
        });
    }

    /** A problem+json answer with the standard's fields; returns it. */
    private static Optional<JsonNode> problem(TestResponse r, String what, int status, List<String> problems) {
        if (r.status() != status) {
            problems.add(what + " answered " + r.status() + "; expected " + status);
        }
        String type = r.header("Content-Type").orElse("");
        if (!type.toLowerCase(Locale.ROOT).startsWith("application/problem+json")) {
            problems.add(what + ": Content-Type is '" + type + "', not application/problem+json");
            return Optional.empty();
        }
        Optional<JsonNode> body = json(r, what, problems);
        body.ifPresent(p -> {
            for (String field : List.of("type", "title", "status", "traceId")) {
                if (!p.hasNonNull(field)) {
                    problems.add(what + ": the problem has no \"" + field + "\"");
                }
            }
            if (p.path("status").asInt() != r.status()) {
                problems.add(what + ": the problem's \"status\" " + p.path("status") + " is not the HTTP status");
            }
            String text = p.toString();
            if (text.contains("Exception") || text.contains("\tat ") || text.contains(".java:")) {
                problems.add(what + ": the problem shows internals: " + abbreviate(text));
            }
        });
        return body;
    }

    private void unknownRouteAndTrace(List<String> problems) {
        String trace = UUID.randomUUID().toString().replace("-", "");
        String path = "/conformance-" + UUID.randomUUID();
        TestResponse r = client.get(path, "traceparent", "00-" + trace + "-00f067aa0ba902b7-01");
        problem(r, "GET of an unknown route", 404, problems).ifPresent(p -> {
            if (!trace.equals(p.path("traceId").asText())) {
                problems.add("traceparent is not continued: the problem's traceId is '" + p.path("traceId").asText()
                        + "', the request's trace " + trace);
            }
        });
    }

    private void wrongMethod(List<String> problems) {
        TestResponse r = management.delete("/health/live");
        problem(r, "DELETE /health/live", 405, problems);
        if (r.header("Allow").isEmpty()) {
            problems.add("DELETE /health/live: a 405 without an Allow header");
        }
    }

    private void badInput(String method, String path, String[] headers, List<String> problems) {
        String[] all = Arrays.copyOf(headers, headers.length + 2);
        all[headers.length] = "Content-Type";
        all[headers.length + 1] = "application/json";
        TestResponse r = client.send(method, path, "{\"unclosed\": ", all);
        problem(r, method + " " + path + " with malformed JSON", 400, problems);
    }

    private void metrics(List<String> problems) {
        TestResponse r = management.get("/metrics");
        if (r.status() != 200) {
            problems.add("/metrics answered " + r.status() + "; expected 200 (add chassis-observability, or call"
                    + " withoutMetrics())");
            return;
        }
        if (!r.header("Content-Type").orElse("").startsWith("text/plain")) {
            problems.add("/metrics: Content-Type is '" + r.header("Content-Type").orElse("") + "', not text/plain");
        }
        problems.addAll(metricsProblems(r.body()));
    }

    /** What is wrong with a body in the Prometheus text format (empty when nothing). */
    static List<String> metricsProblems(String body) {
        List<String> problems = new ArrayList<>();
        int samples = 0;
        for (String line : body.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("#")) {
                if (HELP_OR_TYPE.matcher(line).matches() && !VALID_HELP_OR_TYPE.matcher(line).matches()) {
                    problems.add("/metrics: a malformed HELP or TYPE line: " + abbreviate(line));
                }
            } else if (SAMPLE.matcher(line).matches()) {
                samples++;
            } else {
                problems.add("/metrics: not a Prometheus sample line: " + abbreviate(line));
            }
        }
        if (samples == 0) {
            problems.add("/metrics has no sample");
        }
        return problems;
    }

    private void grpcHealth(List<String> problems) {
        ManagedChannel channel = NettyChannelBuilder
                .forAddress(base.getHost(), base.getPort()).usePlaintext().build();
        try {
            var status = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus();
            if (status != HealthCheckResponse.ServingStatus.SERVING) {
                problems.add("gRPC health (grpc.health.v1.Health/Check) says " + status + ", not SERVING");
            }
        } catch (StatusRuntimeException e) {
            problems.add("gRPC health (grpc.health.v1.Health/Check) failed on the same port: " + e.getStatus()
                    + " (a service without gRPC services: call withoutGrpc())");
        } finally {
            channel.shutdownNow();
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
