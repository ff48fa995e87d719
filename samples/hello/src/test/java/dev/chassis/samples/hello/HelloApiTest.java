package dev.chassis.samples.hello;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.testing.CapturedSpans;
import dev.chassis.testing.Conformance;
import dev.chassis.testing.TestResponse;
import dev.chassis.testing.TestService;

class HelloApiTest {
    @RegisterExtension
    static final TestService service = TestService.of(HelloService::service);

    @Test
    void greetsByName() {
        TestResponse r = service.client().get("/greetings/ada");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("message").asText()).isEqualTo("Hello, ada!");
    }

    @Test
    void storesACustomGreetingOnce() {
        TestResponse created = service.client().post("/greetings", "{\"name\":\"bob\",\"message\":\"Hi Bob\"}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(service.client().get("/greetings/bob?shout=true").json().get("message").asText()).isEqualTo("HI BOB");

        TestResponse again = service.client().post("/greetings", "{\"name\":\"bob\",\"message\":\"Yo\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.header("Content-Type")).contains("application/problem+json");
    }

    @Test
    void blankMessageIsAProblem400NamingTheField() {
        TestResponse r = service.client().post("/greetings", "{\"name\":\"x\",\"message\":\" \"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("errors").get(0).get("message").asText()).isEqualTo("message must not be blank");
    }

    @Test
    void outOfRangeLimitIsAProblem400() {
        TestResponse r = service.client().get("/greetings?limit=0");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("limit");
    }

    @Test
    void followsTheChassisStandard() {
        // health, /info, problems, trace continuation, /metrics (observability is on); hello serves no gRPC
        Conformance.of(service.uri()).badInput("POST", "/greetings").withoutGrpc().check();
    }

    @Test
    void aRequestIsCapturedAsASpanOfTheCallersTrace() {
        String trace = "0af7651916cd43dd8448eb211c80319c";
        service.client().get("/greetings/ada", "traceparent", "00-" + trace + "-b7ad6b7169203331-01");
        var spans = CapturedSpans.of(service.uri()).await(trace, 1);
        assertThat(spans.get(0).get("name").asText()).isEqualTo("GET /greetings/{name}");
        assertThat(spans.get(0).get("parentSpanId").asText()).isEqualTo("b7ad6b7169203331");
    }
}
