package dev.chassis.samples.shop.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.testing.Conformance;
import dev.chassis.testing.TestService;

/** Inventory's OpenAPI document: valid, true to what the admin API answers, and listing the gRPC service. */
class InventoryOpenApiTest {
    @RegisterExtension
    static final TestService service = TestService.of(InventoryService::service);

    @Test
    void theDocumentIsValidOpenApiAndListsTheGrpcService() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIParser().readContents(service.client().get("/openapi").body(), null, options);
        assertThat(result.getMessages()).isEmpty();
        JsonNode doc = service.client().get("/openapi").json();
        assertThat(doc.path("info").path("version").asText()).isEqualTo("1.0.0");
        assertThat(doc.path("x-grpc-services").findValuesAsText("fullName"))
                .contains("shop.inventory.v1.Inventory/Reserve", "grpc.health.v1.Health/Check");
    }

    @Test
    void everyAnswerOfTheAdminApiIsTheDocumentedOne() {
        Conformance.openApi(service.running())
                .request("PUT", "/stock/apple", "{\"quantity\":5}")
                .request("PUT", "/stock/apple", "{\"quantity\":-1}")        // 400, by the handler
                .request("PUT", "/stock/apple", "{\"quantity\":\"five\"}")  // 400, by the binding
                .request("GET", "/stock")
                .request("GET", "/stock/apple")
                .request("GET", "/stock/pear")                              // 404
                .request("GET", "/stock/reservations/o-1")                  // 404
                .request("POST", "/stock")                                  // 405
                .check();
    }
}
