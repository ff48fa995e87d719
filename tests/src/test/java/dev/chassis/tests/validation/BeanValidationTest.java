package dev.chassis.tests.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chassis.core.Chassis;
import dev.chassis.testing.TestResponse;
import dev.chassis.testing.TestService;

/** Bean Validation of handler parameters over real HTTP: 400 problems with one entry per violated field. */
class BeanValidationTest {
    @RegisterExtension
    static final TestService service = TestService.of(() -> Chassis.service("validated").http(new ValidatedApi()));

    private static Map<String, String> errors(TestResponse r) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.header("Content-Type")).contains("application/problem+json");
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode e : r.json().get("errors")) {
            out.put(e.get("field").asText(), e.get("message").asText());
        }
        return out;
    }

    @Test
    void aValidBodyReachesTheHandler() {
        TestResponse r = service.client().post("/v/orders", "{\"customer\":\"ada\",\"items\":[{\"sku\":\"a\",\"quantity\":1}]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    @Test
    void everyViolatedFieldOfTheBodyIsOneEntryWithItsNestedPath() {
        TestResponse r = service.client().post("/v/orders", "{\"customer\":\"\",\"items\":[{\"sku\":\"a\",\"quantity\":1},"
                + "{\"sku\":\"b\",\"quantity\":1},{\"sku\":\" \",\"quantity\":0}]}");
        assertThat(errors(r)).containsExactly(
                Map.entry("customer", "must not be blank; size must be between 3 and 2147483647"),
                Map.entry("items[2].quantity", "must be greater than or equal to 1"),
                Map.entry("items[2].sku", "must not be blank"));
        assertThat(r.json().get("detail").asText()).isEqualTo("invalid request: customer, items[2].quantity, items[2].sku");
    }

    @Test
    void aListBodyIsCheckedElementByElement() {
        TestResponse r = service.client().post("/v/orders/batch", "[{\"customer\":\"ada\",\"items\":[{\"sku\":\"a\","
                + "\"quantity\":1}]},{\"customer\":\"bob\",\"items\":[]}]");
        assertThat(errors(r)).containsExactly(Map.entry("[1].items", "size must be between 1 and 2147483647"));
    }

    @Test
    void aRecordConstructorCheckNamesTheComponentNotTheBody() {
        assertThat(errors(service.client().post("/v/books", "{}"))).containsExactly(Map.entry("title", "is required"));
    }

    @Test
    void aPathParameterIsReportedByItsName() {
        assertThat(errors(service.client().get("/v/items/0"))).containsExactly(
                Map.entry("id", "must be greater than or equal to 1"));
        assertThat(service.client().get("/v/items/7").body()).isEqualTo("7");
    }

    @Test
    void queryParametersAreReportedByTheirNamesAllAtOnce() {
        assertThat(errors(service.client().get("/v/search?q=ab&limit=0"))).containsExactly(
                Map.entry("limit", "must be greater than or equal to 1"),
                Map.entry("q", "size must be between 3 and 2147483647"));
        assertThat(service.client().get("/v/search?q=abc").body()).isEqualTo("\"abc 10\"");
    }

    @Test
    void aHeaderIsReportedByItsName() {
        assertThat(errors(service.client().get("/v/greet", "X-Name", "ADA"))).containsExactly(
                Map.entry("X-Name", "must be lower-case letters"));
        assertThat(service.client().get("/v/greet", "X-Name", "ada").body()).isEqualTo("\"hello ada\"");
    }

    @Test
    void anUnconstrainedHandlerIsUnaffected() {
        assertThat(service.client().get("/v/plain/0").body()).isEqualTo("0");
    }

    @Test
    @Timeout(60)
    void withoutAValidatorOnTheClassPathNothingIsCheckedAndTheServiceRuns() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("hibernate-validator") && !e.contains("jakarta.validation")
                        && !e.contains("expressly") && !e.contains("jakarta.el"))
                .toList();
        assertThat(classPath).hasSizeLessThan(System.getProperty("java.class.path").split(File.pathSeparator).length);
        Process process = new ProcessBuilder(java, "-cp", String.join(File.pathSeparator, classPath),
                UnvalidatedServiceMain.class.getName()).redirectErrorStream(true).start();
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
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v/items/0"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("constraints are not checked without a validator").isEqualTo(200);
            assertThat(r.body()).isEqualTo("0");
            assertThat(seen).noneMatch(l -> l.contains("Exception"));
        } finally {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
