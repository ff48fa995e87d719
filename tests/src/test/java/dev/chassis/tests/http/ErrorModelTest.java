package dev.chassis.tests.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chassis.core.Chassis;
import dev.chassis.testing.TestResponse;
import dev.chassis.testing.TestService;

/** Every error path answers application/problem+json with the right status. */
class ErrorModelTest {
    @RegisterExtension
    static final TestService service = TestService.of(() -> Chassis.service("errors")
            .http(new KitchenSinkApi())
            .property("server.max-body-size", "1KiB"));

    @Test
    void malformedJsonIs400WithWhereItBroke() {
        TestResponse r = service.client().post("/sink/orders", "{\"id\": \"o1\", \"items\": [");
        assertProblem(r, 400);
        assertThat(r.json().get("detail").asText()).startsWith("malformed JSON at line 1");
    }

    @Test
    void wrongTypeInBodyNamesTheFieldPath() {
        TestResponse r = service.client().post("/sink/orders", "{\"id\":\"o1\",\"items\":[{\"name\":\"a\",\"quantity\":\"two\"}]}");
        assertProblem(r, 400);
        JsonNode error = r.json().get("errors").get(0);
        assertThat(error.get("field").asText()).isEqualTo("items[0].quantity");
        assertThat(error.get("message").asText()).isEqualTo("expected a whole number, but was 'two'");
        assertThat(r.body()).doesNotContain("dev.chassis").doesNotContain("KitchenSinkApi");
    }

    @Test
    void missingPrimitiveFieldIsRequired() {
        TestResponse r = service.client().post("/sink/orders", "{\"id\":\"o1\",\"items\":[{\"name\":\"a\"}]}");
        assertProblem(r, 400);
        assertThat(r.json().get("errors").get(0).get("message").asText()).startsWith("is required");
    }

    @Test
    void validationInTheRecordConstructorIs400WithItsMessage() {
        TestResponse r = service.client().post("/sink/orders", "{\"id\":\"o1\",\"items\":[]}");
        assertProblem(r, 400);
        assertThat(r.json().get("errors").get(0).get("message").asText()).isEqualTo("an order needs at least one item");
    }

    @Test
    void missingOrNullBodyIs400() {
        assertProblem(service.client().post("/sink/orders", null, "Content-Type", "application/json"), 400);
        TestResponse nullBody = service.client().post("/sink/orders", "null");
        assertProblem(nullBody, 400);
        assertThat(nullBody.json().get("detail").asText()).contains("must not be JSON null");
    }

    @Test
    void trailingGarbageAndLossyNumbersAre400() {
        String order = "{\"id\":\"o1\",\"items\":[{\"name\":\"a\",\"quantity\":1}]}";
        assertProblem(service.client().post("/sink/orders", order + " garbage"), 400);
        assertProblem(service.client().post("/sink/orders", order + order), 400);
        TestResponse fractional = service.client().post("/sink/orders", order.replace("\"quantity\":1", "\"quantity\":1.5"));
        assertProblem(fractional, 400);
        assertThat(fractional.json().get("errors").get(0).get("field").asText()).isEqualTo("items[0].quantity");
    }

    @Test
    void anAnswerThatCannotBeWrittenIs500WithoutItsHeaders() {
        TestResponse r = service.client().get("/sink/unwritable");
        assertProblem(r, 500);
        assertThat(r.header("Cache-Control")).isEmpty();
    }

    @Test
    void nonJsonContentTypeIs415() {
        TestResponse r = service.client().post("/sink/orders", "id=o1", "Content-Type", "application/x-www-form-urlencoded");
        assertProblem(r, 415);
        assertThat(r.json().get("detail").asText()).contains("application/x-www-form-urlencoded");
    }

    @Test
    void structuredJsonContentTypesAreAccepted() {
        TestResponse r = service.client().post("/sink/orders", "{\"id\":\"o1\",\"items\":[{\"name\":\"a\",\"quantity\":1}]}",
                "Content-Type", "application/vnd.shop+json; charset=utf-8");
        assertThat(r.status()).isEqualTo(201);
    }

    @Test
    void acceptThatExcludesJsonIs406() {
        assertProblem(service.client().get("/sink/items/known", "Accept", "text/html"), 406);
        assertThat(service.client().get("/sink/items/known", "Accept", "text/html, application/*;q=0.5").status())
                .isEqualTo(200);
    }

    @Test
    void unknownRouteIs404() {
        TestResponse r = service.client().get("/no/such/thing");
        assertProblem(r, 404);
        assertThat(r.json().get("instance").asText()).isEqualTo("/no/such/thing");
    }

    @Test
    void wrongMethodIs405WithAllow() {
        TestResponse r = service.client().send("PUT", "/sink/items/known", "{}");
        assertProblem(r, 405);
        assertThat(r.header("Allow")).contains("DELETE, GET, HEAD, OPTIONS");
    }

    @Test
    void optionsListsTheAllowedMethods() {
        TestResponse r = service.client().send("OPTIONS", "/sink/orders/o1", null);
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.header("Allow")).contains("PUT, OPTIONS");
    }

    @Test
    void bodyOverTheConfiguredLimitIs413() {
        String big = "{\"id\":\"" + "x".repeat(2000) + "\",\"items\":[{\"name\":\"a\",\"quantity\":1}]}";
        assertProblem(service.client().post("/sink/orders", big), 413);
    }

    static void assertProblem(TestResponse r, int status) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).contains("application/problem+json");
        JsonNode j = r.json();
        assertThat(j.get("status").asInt()).isEqualTo(status);
        assertThat(j.get("type").asText()).isEqualTo("about:blank");
        assertThat(j.get("title").asText()).isNotBlank();
        assertThat(j.get("traceId").asText()).matches("[0-9a-f]{32}");
    }
}
