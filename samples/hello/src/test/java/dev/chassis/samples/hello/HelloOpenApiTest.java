package dev.chassis.samples.hello;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.testing.Conformance;
import dev.chassis.testing.TestService;

/** Hello's OpenAPI document: valid, and true to what the service answers. */
class HelloOpenApiTest {
    @RegisterExtension
    static final TestService service = TestService.of(HelloService::service);

    @Test
    void theDocumentIsValidOpenApi() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIParser().readContents(service.client().get("/openapi").body(), null, options);
        assertThat(result.getMessages()).isEmpty();
        assertThat(result.getOpenAPI().getPaths()).containsOnlyKeys("/greetings", "/greetings/{name}");
        JsonNode doc = service.client().get("/openapi").json();
        assertThat(doc.path("info").path("title").asText()).isEqualTo("hello");
        assertThat(doc.path("paths").path("/greetings").path("post").path("responses").has("409")).isTrue();
    }

    @Test
    void everyAnswerIsTheDocumentedOne() {
        Conformance.openApi(service.running())
                .request("GET", "/greetings/ada")
                .request("GET", "/greetings/ada?shout=true")
                .request("GET", "/greetings/ada?shout=maybe")                                   // 400
                .request("POST", "/greetings", "{\"name\":\"cy\",\"message\":\"Hi Cy\"}")     // 201
                .request("POST", "/greetings", "{\"name\":\"cy\",\"message\":\"Again\"}")     // 409
                .request("POST", "/greetings", "{\"name\":\"x\",\"message\":\" \"}")          // 400
                .request("POST", "/greetings", "not json", "Content-Type", "text/plain")     // 415
                .request("GET", "/greetings")
                .request("GET", "/greetings?limit=0")                                          // 400
                .request("DELETE", "/greetings/cy")                                            // 204
                .request("DELETE", "/greetings/cy")                                            // 404
                .request("PUT", "/greetings")                                                  // 405
                .check();
    }
}
