package dev.chassis.tests.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chassis.core.Chassis;
import dev.chassis.core.Problem;
import dev.chassis.testing.TestResponse;
import dev.chassis.testing.TestService;

class AnnotatedEndpointsTest {
    @RegisterExtension
    static final TestService service = TestService.of(() -> Chassis.service("sink")
            .http(new KitchenSinkApi())
            .mapException(KitchenSinkApi.OutOfStock.class, e -> Problem.conflict("out of stock")));

    @Test
    void convertsPathQueryAndHeaderValuesToTheirTypes() {
        TestResponse r = service.client().get("/sink/types/42/3f2504e0-4f89-11d3-9a0c-0305e82c3301/GREEN"
                        + "?since=2024-05-01T12:00:00Z&day=2024-05-02&limit=5&tag=a&tag=b",
                "X-Count", "7");
        assertThat(r.status()).isEqualTo(200);
        JsonNode j = r.json();
        assertThat(j.get("id").asLong()).isEqualTo(42);
        assertThat(j.get("uuid").asText()).isEqualTo("3f2504e0-4f89-11d3-9a0c-0305e82c3301");
        assertThat(j.get("color").asText()).isEqualTo("GREEN");
        assertThat(j.get("since").asText()).isEqualTo("2024-05-01T12:00:00Z");
        assertThat(j.get("day").asText()).isEqualTo("2024-05-02");
        assertThat(j.get("limit").asInt()).isEqualTo(5);
        assertThat(j.get("tag")).hasSize(2);
        assertThat(j.get("flag").asBoolean()).isTrue();
        assertThat(j.get("count").asInt()).isEqualTo(7);
        assertThat(j.get("missing").asText()).isEqualTo("none");
    }

    @Test
    void enumsAcceptAnyCaseAndExplicitNamesWork() {
        assertThat(service.client().get("/sink/types/1/3f2504e0-4f89-11d3-9a0c-0305e82c3301/red"
                + "?since=2024-05-01T12:00:00Z&day=2024-05-02", "X-Count", "1").json().get("color").asText()).isEqualTo("RED");
        assertThat(service.client().get("/sink/named/abc").body()).isEqualTo("\"abc\"");
    }

    @Test
    void wrongTypesInPathQueryAndHeaderGetProblem400NamingTheParameter() {
        String uuid = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
        String ok = "?since=2024-05-01T12:00:00Z&day=2024-05-02";
        assertBadParameter(service.client().get("/sink/types/notanumber/" + uuid + "/RED" + ok, "X-Count", "1"), "id");
        assertBadParameter(service.client().get("/sink/types/1/not-a-uuid/RED" + ok, "X-Count", "1"), "uuid");
        assertBadParameter(service.client().get("/sink/types/1/" + uuid + "/BLUE" + ok, "X-Count", "1"), "color");
        assertBadParameter(service.client().get("/sink/types/1/" + uuid + "/RED?since=yesterday&day=2024-05-02",
                "X-Count", "1"), "since");
        assertBadParameter(service.client().get("/sink/types/1/" + uuid + "/RED" + ok + "&limit=1.5", "X-Count", "1"),
                "limit");
        assertBadParameter(service.client().get("/sink/types/1/" + uuid + "/RED" + ok + "&flag=yes", "X-Count", "1"),
                "flag");
        assertBadParameter(service.client().get("/sink/types/1/" + uuid + "/RED" + ok, "X-Count", "many"), "X-Count");
    }

    @Test
    void missingRequiredParametersGetProblem400() {
        String uuid = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
        TestResponse noHeader = service.client().get("/sink/types/1/" + uuid + "/RED?since=2024-05-01T12:00:00Z&day=2024-05-02");
        assertBadParameter(noHeader, "X-Count");
        assertThat(noHeader.json().get("detail").asText()).contains("missing required header 'X-Count'");
        assertBadParameter(service.client().get("/sink/types/1/" + uuid + "/RED?day=2024-05-02", "X-Count", "1"), "since");
    }

    @Test
    void recordsRoundTripAsJsonWithStatusAndNullsOmitted() {
        String order = "{\"id\":\"o1\",\"items\":[{\"name\":\"pen\",\"quantity\":2,\"at\":\"2024-05-01T12:00:00Z\"}],"
                + "\"unknownField\":\"ignored\"}";
        TestResponse r = service.client().post("/sink/orders", order);
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.header("Content-Type")).contains("application/json");
        assertThat(r.body()).isEqualTo("{\"id\":\"o1\",\"items\":[{\"name\":\"pen\",\"quantity\":2,"
                + "\"at\":\"2024-05-01T12:00:00Z\"}]}");
    }

    @Test
    void responseTypeSetsStatusAndHeaders() {
        TestResponse r = service.client().put("/sink/orders/o9", "{\"id\":\"o9\",\"items\":[{\"name\":\"a\",\"quantity\":1}]}");
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.header("Location")).contains("/sink/orders/o9");
        assertThat(r.header("X-Replaced")).contains("yes");
        assertThat(r.headers().get("x-tag")).containsExactly("a", "b");
        assertThat(r.json().get("id").asText()).isEqualTo("o9");
    }

    @Test
    void stringAndOptionalBodies() {
        assertThat(service.client().patch("/sink/text", "plain words", "Content-Type", "text/plain").body())
                .isEqualTo("\"plain words\"");
        assertThat(service.client().post("/sink/optional-body", null).body()).isEqualTo("\"no body\"");
        assertThat(service.client().post("/sink/optional-body", "{\"name\":\"x\",\"quantity\":1}").body())
                .isEqualTo("\"x\"");
    }

    @Test
    void optionalEmptyIs404ProblemAndPresentIs200() {
        assertThat(service.client().get("/sink/items/known").status()).isEqualTo(200);
        TestResponse missing = service.client().get("/sink/items/unknown");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.header("Content-Type")).contains("application/problem+json");
    }

    @Test
    void anEmptyOptionalNamesTheResourceAndIdWithATypeOfItsOwn() {
        TestResponse missing = service.client().get("/sink/items/unknown");
        assertThat(missing.json().get("type").asText()).isEqualTo("https://chassis.dev/problems/no-such-resource");
        assertThat(missing.json().get("title").asText()).isEqualTo("Resource Not Found");
        assertThat(missing.json().get("detail").asText()).isEqualTo("no item with name 'unknown'");
        TestResponse wrongUrl = service.client().get("/sink/itemz/unknown");
        assertThat(wrongUrl.status()).isEqualTo(404);
        assertThat(wrongUrl.json().get("type").asText()).as("an unknown route is told apart").isEqualTo("about:blank");
    }

    @Test
    void literalSegmentsWinOverVariables() {
        assertThat(service.client().get("/sink/items/search").body()).isEqualTo("\"search beats {name}\"");
    }

    @Test
    void voidIs204AndStatusAnnotationApplies() {
        assertThat(service.client().delete("/sink/items/x").status()).isEqualTo(204);
        assertThat(service.client().post("/sink/accepted", null).status()).isEqualTo(202);
        assertThat(service.client().send("HEAD", "/sink/head", null).status()).isEqualTo(204);
    }

    @Test
    void handlersCanUseTheHelidonRequestAndResponse() {
        TestResponse r = service.client().get("/sink/raw?q=hi");
        assertThat(r.body()).isEqualTo("raw hi");
        assertThat(r.header("X-Path")).contains("/sink/raw");
    }

    @Test
    void thrownProblemKeepsItsFieldsAndGetsInstanceAndTraceId() {
        TestResponse r = service.client().get("/sink/problem");
        assertThat(r.status()).isEqualTo(409);
        JsonNode j = r.json();
        assertThat(j.get("title").asText()).isEqualTo("Order locked");
        assertThat(j.get("detail").asText()).isEqualTo("order 7 is being paid");
        assertThat(j.get("orderId").asText()).isEqualTo("7");
        assertThat(j.get("instance").asText()).isEqualTo("/sink/problem");
        assertThat(j.get("traceId").asText()).matches("[0-9a-f]{32}");
    }

    @Test
    void uncaughtExceptionIs500WithoutInternals() {
        TestResponse r = service.client().get("/sink/boom");
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.header("Content-Type")).contains("application/problem+json");
        assertThat(r.body()).doesNotContain("hunter2").doesNotContain("IllegalStateException").doesNotContain("at dev.");
        assertThat(r.json().get("traceId").asText()).matches("[0-9a-f]{32}");
    }

    @Test
    void incomingTraceparentGivesTheProblemsTraceId() {
        TestResponse r = service.client().get("/sink/boom", "traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertThat(r.json().get("traceId").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void applicationExceptionsMapToTheirProblem() {
        TestResponse r = service.client().get("/sink/mapped");
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.json().get("detail").asText()).isEqualTo("out of stock");
        assertThat(r.body()).doesNotContain("secret");
    }

    @Test
    void servesH2cOnTheSamePort() {
        TestResponse r = service.client().http2().get("/sink/items/known");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.protocol()).isEqualTo("HTTP_2");
    }

    static void assertBadParameter(TestResponse r, String field) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.header("Content-Type")).contains("application/problem+json");
        assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo(field);
        assertThat(r.json().get("errors").get(0).get("message").asText()).isNotBlank();
    }
}
