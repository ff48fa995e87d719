package dev.chassis.openapi;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Chassis;
import dev.chassis.core.Problem;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Post;
import dev.chassis.testing.Conformance;
import dev.chassis.testing.TestService;

/** The test kit's contract check: real answers against the document, passing and failing. */
class OpenApiContractTest {
    @RegisterExtension
    static final TestService catalog = TestService.of(() -> Chassis.service("catalog").http(new Catalog())
            .property("management.port", "0"));

    @RegisterExtension
    static final TestService liar = TestService.of(() -> Chassis.service("liar").http(new Liar()));

    private static final String BOOK = "{\"title\":\"Emma\",\"pages\":474,\"genre\":\"NOVEL\","
            + "\"author\":{\"name\":\"Jane Austen\",\"born\":\"1775-12-16\"}}";

    @Test
    void everyAnswerOfTheCatalogIsDocumented() {
        String id = Catalog.SAMPLE.id().toString();
        Conformance.openApi(catalog.running())
                .request("GET", "/books")
                .request("GET", "/books?limit=5&genre=NOVEL&genre=ESSAY")
                .request("GET", "/books?limit=many")                                    // 400
                .request("GET", "/books/" + id)
                .request("GET", "/books/" + UUID.randomUUID())                // 404, no such book
                .request("GET", "/books/not-a-uuid")                                    // 400
                .request("GET", "/books/" + id, null, "Accept", "text/plain")           // 406
                .request("HEAD", "/books/" + id)
                .request("POST", "/books", BOOK)                                        // 201
                .request("POST", "/books", BOOK.replace("Emma", "Dune"))                // 409, declared
                .request("POST", "/books", "{\"title\":\"\",\"pages\":0}")              // 400 with errors
                .request("POST", "/books", "{\"title\":")                               // 400, malformed
                .request("POST", "/books", "title=Emma", "Content-Type", "text/plain")  // 415
                .request("PUT", "/books/" + id, BOOK)                                   // 2XX
                .request("PATCH", "/books/" + id + "/note", "a note", "Content-Type", "text/plain")
                .request("DELETE", "/books/" + id)                                      // 204
                .request("GET", "/books/" + id + "/tags")
                .request("GET", "/books/stats?detailed=true")
                .request("DELETE", "/books")                                            // 405
                .request("GET", "/nowhere")                                             // 404
                .check();
    }

    /** A record Jackson writes differently from what its Java type says. */
    public record Count(@JsonSerialize(using = ToStringSerializer.class) int value) {
    }

    /** Handlers whose real answers differ from their document. */
    public static final class Liar {
        @Get("/count")
        public Count count() {
            return new Count(3);
        }

        @Post("/things")
        public Count add() {
            throw Problem.builder(409).detail("exists").build();
        }

        @Get("/honest")
        public Count honest() {
            throw Problem.builder(404).detail("none").build();
        }

        @Get("/bytes")
        public byte[] bytes() {
            return new byte[] {1, 2, 3};
        }
    }

    @Test
    void answersOutsideTheOperationsAreProblemsToo() {
        Conformance.openApi(liar.running())
                .request("GET", "/nowhere")       // 404 problem: no such path
                .request("DELETE", "/count")      // 405 problem: no such method
                .request("GET", "/bytes")         // Base64 text
                .check();
    }

    @Test
    void anAnswerThatDiffersFromTheDocumentFailsTheCheck() {
        assertThatThrownBy(() -> Conformance.openApi(liar.running()).request("GET", "/count").check())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("GET /count (GET /count) answered 200 with a body its schema refuses")
                .hasMessageContaining("/value string found, integer expected");
        assertThatThrownBy(() -> Conformance.openApi(liar.running()).request("POST", "/things", "{}").check())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("POST /things (POST /things) answered 409, which the document does not list"
                        + " (it lists 200, 406, 500, 503)");
        assertThatThrownBy(() -> Conformance.openApi(liar.running()).request("GET", "/honest").check())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("answered 404, which the document does not list");
    }

    @Test
    void aCheckWithoutRequestsIsAMistake() {
        assertThatThrownBy(() -> Conformance.openApi(liar.running()).check())
                .isInstanceOf(AssertionError.class).hasMessageContaining("no request to check");
    }
}
