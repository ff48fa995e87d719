package dev.chassis.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.http.Get;
import dev.chassis.testing.StartFailure;
import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;
import dev.chassis.testing.TestService;

class OpenApiDocumentTest {
    @RegisterExtension
    static final TestService service = TestService.of(() -> Chassis.service("catalog").version("2.3.1")
            .http(new Catalog()).property("management.port", "0"));

    /** Parses and validates a document with swagger-parser; returns every error and warning it reports. */
    static List<String> problems(String document) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIParser().readContents(document, null, options);
        List<String> messages = new ArrayList<>(result.getMessages() == null ? List.of() : result.getMessages());
        if (result.getOpenAPI() == null) {
            messages.add("no document");
        }
        return messages;
    }

    static JsonNode document() {
        TestResponse res = service.managementClient().get("/openapi");
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.header("Content-Type")).hasValue("application/json");
        return res.json();
    }

    @Test
    void isValidOpenApi31WithNoErrorsOrWarnings() {
        String json = service.managementClient().get("/openapi").body();
        assertThat(problems(json)).isEmpty();
        assertThat(problems(service.managementClient().get("/openapi.yaml").body())).isEmpty();
        assertThat(document().path("openapi").asText()).isEqualTo("3.1.0");
    }

    @Test
    void theParserCheckCanFail() {
        assertThat(problems("{\"openapi\":\"3.1.0\",\"paths\":{\"/x\":{\"get\":{\"responses\":{\"200\":{}}}}}}"))
                .as("no info, a response without a description").isNotEmpty();
    }

    @Test
    void servedOnTheManagementPortOnly() {
        assertThat(service.client().get("/openapi").status()).isEqualTo(404);
        assertThat(service.client().get("/openapi.yaml").status()).isEqualTo(404);
    }

    @Test
    void yamlIsTheSameDocument() throws Exception {
        TestResponse yaml = service.managementClient().get("/openapi.yaml");
        assertThat(yaml.header("Content-Type")).hasValue("application/yaml");
        assertThat(new YAMLMapper().readTree(yaml.body())).isEqualTo(document());
        assertThat(new YAMLMapper().readTree(service.managementClient().get("/openapi?format=yaml").body()))
                .isEqualTo(document());
    }

    @Test
    void infoNamesTheServiceAndItsVersion() {
        JsonNode info = document().path("info");
        assertThat(info.path("title").asText()).isEqualTo("catalog");
        assertThat(info.path("version").asText()).isEqualTo("2.3.1");
    }

    @Test
    void everyPathAndMethod() {
        JsonNode paths = document().path("paths");
        assertThat(fieldNames(paths)).containsExactlyInAnyOrder("/books", "/books/{id}", "/books/{id}/note",
                "/books/{id}/tags", "/books/stats");
        assertThat(fieldNames(paths.path("/books"))).containsExactlyInAnyOrder("get", "post");
        assertThat(fieldNames(paths.path("/books/{id}"))).containsExactlyInAnyOrder("get", "put", "delete");
        assertThat(paths.path("/books").path("get").path("summary").asText()).isEqualTo("List books");
        assertThat(paths.path("/books").path("get").path("description").asText()).isEqualTo("Pages through the catalog.");
        assertThat(paths.path("/books").path("get").path("tags").get(0).asText()).isEqualTo("Catalog");
        assertThat(paths.path("/books").path("get").path("operationId").asText()).isEqualTo("catalog.list");
    }

    @Test
    void parametersWithTypeFormatRequiredAndDefault() {
        JsonNode params = document().path("paths").path("/books").path("get").path("parameters");
        assertThat(params.get(0).toString()).isEqualTo(
                "{\"name\":\"limit\",\"in\":\"query\",\"required\":false,\"schema\":{\"type\":\"integer\",\"format\":\"int32\","
                        + "\"default\":10}}");
        assertThat(params.get(1).path("required").asBoolean()).isFalse();
        assertThat(params.get(1).path("schema").path("type").asText()).isEqualTo("string");
        assertThat(params.get(2).path("schema").path("type").asText()).isEqualTo("array");
        assertThat(params.get(2).path("schema").path("items").path("enum").toString())
                .isEqualTo("[\"NOVEL\",\"ESSAY\",\"POETRY\"]");
        assertThat(params.get(3).toString()).isEqualTo("{\"name\":\"X-Tenant\",\"in\":\"header\",\"required\":false,"
                + "\"schema\":{\"type\":\"string\",\"default\":\"main\"}}");
        JsonNode id = document().path("paths").path("/books/{id}").path("get").path("parameters").get(0);
        assertThat(id.toString()).isEqualTo("{\"name\":\"id\",\"in\":\"path\",\"required\":true,"
                + "\"schema\":{\"type\":\"string\",\"format\":\"uuid\"}}");
        JsonNode before = document().path("paths").path("/books/{id}").path("delete").path("parameters").get(1);
        assertThat(before.path("schema").path("format").asText()).isEqualTo("date-time");
    }

    @Test
    void schemasOfRecordsGenericsOptionalsListsEnumsTimeAndNestedRecords() {
        JsonNode doc = document();
        JsonNode list = doc.path("paths").path("/books").path("get").path("responses").path("200");
        String pageRef = list.path("content").path("application/json").path("schema").path("$ref").asText();
        assertThat(pageRef).startsWith("#/components/schemas/Page");
        JsonNode schemas = doc.path("components").path("schemas");
        JsonNode page = schemas.path(pageRef.substring("#/components/schemas/".length()));
        assertThat(page.path("properties").path("items").path("items").path("$ref").asText())
                .isEqualTo("#/components/schemas/Book");
        assertThat(page.path("properties").path("next").path("type").toString()).isEqualTo("[\"string\",\"null\"]");
        JsonNode book = schemas.path("Book").path("properties");
        assertThat(book.path("id").path("format").asText()).isEqualTo("uuid");
        assertThat(book.path("pages").path("type").asText()).isEqualTo("integer");
        assertThat(book.path("subtitle").path("type").toString()).isEqualTo("[\"string\",\"null\"]");
        assertThat(book.path("tags").path("type").asText()).isEqualTo("array");
        assertThat(book.path("genre").path("$ref").asText()).isEqualTo("#/components/schemas/Genre");
        assertThat(schemas.path("Genre").path("enum").toString()).isEqualTo("[\"NOVEL\",\"ESSAY\",\"POETRY\"]");
        assertThat(book.path("author").path("$ref").asText()).isEqualTo("#/components/schemas/Author");
        assertThat(schemas.path("Author").path("properties").path("born").path("format").asText()).isEqualTo("date");
        assertThat(book.path("added").path("format").asText()).isEqualTo("date-time");
        assertThat(book.path("readingTime").path("type").asText()).as("the mapper writes seconds").isEqualTo("number");
        assertThat(book.has("isbn13")).as("the name Jackson writes").isTrue();
        String ratings = book.path("ratings").path("$ref").asText().substring("#/components/schemas/".length());
        assertThat(schemas.path(ratings).path("additionalProperties").path("type").asText()).isEqualTo("integer");
        assertThat(schemas.path("Book").path("required").toString()).isEqualTo("[\"pages\"]");
    }

    @Test
    void statusesFromTheSignature() {
        JsonNode paths = document().path("paths");
        assertThat(fieldNames(paths.path("/books").path("post").path("responses")))
                .containsExactly("201", "400", "406", "409", "413", "415", "500", "503");
        assertThat(fieldNames(paths.path("/books/{id}").path("get").path("responses")))
                .containsExactly("200", "400", "404", "406", "500", "503");
        assertThat(fieldNames(paths.path("/books/{id}").path("delete").path("responses")))
                .containsExactly("204", "400", "500", "503");
        assertThat(paths.path("/books/{id}").path("delete").path("responses").path("204").has("content")).isFalse();
        assertThat(paths.path("/books/{id}").path("put").path("responses").has("2XX")).isTrue();
        assertThat(paths.path("/books/{id}").path("get").path("responses").path("404").path("$ref").asText())
                .isEqualTo("#/components/responses/Problem404");
    }

    @Test
    void problemAnswersAreProblemJson() {
        JsonNode responses = document().path("components").path("responses");
        assertThat(fieldNames(responses)).contains("Problem400", "Problem404", "Problem405", "Problem406", "Problem413",
                "Problem415", "Problem500", "Problem503");
        assertThat(responses.path("Problem503").path("headers").has("Retry-After")).isTrue();
        assertThat(responses.path("Problem405").path("headers").has("Allow")).isTrue();
        assertThat(responses.path("Problem400").path("content").path("application/problem+json").path("schema")
                .path("$ref").asText()).isEqualTo("#/components/schemas/Problem");
    }

    @Test
    void requestBodies() {
        JsonNode paths = document().path("paths");
        JsonNode post = paths.path("/books").path("post").path("requestBody");
        assertThat(post.path("required").asBoolean()).isTrue();
        assertThat(post.path("content").path("application/json").path("schema").path("$ref").asText())
                .isEqualTo("#/components/schemas/NewBook");
        JsonNode note = paths.path("/books/{id}/note").path("patch").path("requestBody");
        assertThat(note.path("required").asBoolean()).isFalse();
        assertThat(note.path("content").path("*/*").path("schema").path("type").asText()).isEqualTo("string");
    }

    /** Returns what no schema can describe. */
    public static final class Loose {
        @Get("/anything")
        public Object anything() {
            return "x";
        }
    }

    @Test
    void aTypeTheGeneratorCannotDescribeIsFreeForm() {
        TestService loose = TestService.of(() -> Chassis.service("loose").http(new Loose()));
        try {
            JsonNode doc = new TestClient(loose.start().uri()).get("/openapi").json();
            JsonNode schema = doc.path("paths").path("/anything").path("get").path("responses").path("200")
                    .path("content").path("application/json").path("schema");
            assertThat(schema.path("description").asText()).startsWith("free-form");
            assertThat(schema.has("type")).isFalse();
            assertThat(problems(doc.toString())).isEmpty();
        } finally {
            loose.stop();
        }
    }

    /** Declares a success status among its problems. */
    public static final class BadProblems {
        @Get("/x")
        @ApiOperation(problems = {200})
        public String x() {
            return "x";
        }
    }

    @Test
    void concurrentFirstRequestsAllGetTheOneDocumentBuiltOnDemand() throws Exception {
        // built by the first request, not at start-up: a fresh service asked by 16 clients at once
        try (RunningService fresh = Chassis.service("fresh").http(new Catalog()).property("server.port", "0").start()) {
            List<Future<TestResponse>> answers = new ArrayList<>();
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 16; i++) {
                    String path = i % 2 == 0 ? "/openapi" : "/openapi.yaml";
                    answers.add(clients.submit(() -> new TestClient(fresh.uri()).get(path)));
                }
            }
            Set<String> json = new HashSet<>();
            Set<String> yaml = new HashSet<>();
            for (int i = 0; i < answers.size(); i++) {
                TestResponse res = answers.get(i).get();
                assertThat(res.status()).isEqualTo(200);
                (i % 2 == 0 ? json : yaml).add(res.body());
            }
            assertThat(json).hasSize(1);
            assertThat(yaml).hasSize(1);
            assertThat(problems(json.iterator().next())).isEmpty();
        }
    }

    @Test
    void aProblemThatIsNoErrorStopsStartUp() {
        assertThat(StartFailure.of(Chassis.service("bad").http(new BadProblems())))
                .hasMessageContaining("BadProblems.x has @ApiOperation(problems = 200)")
                .hasMessageContaining("Fix:");
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
