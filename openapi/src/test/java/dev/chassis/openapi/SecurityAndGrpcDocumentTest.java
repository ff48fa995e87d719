package dev.chassis.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Chassis;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.security.Authenticated;
import dev.chassis.security.PermitAll;
import dev.chassis.security.RolesAllowed;
import dev.chassis.security.Scopes;
import dev.chassis.security.Workloads;
import dev.chassis.testing.TestService;
import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoReply;
import dev.chassis.tests.grpc.proto.EchoRequest;

/** The security requirements of the security module's rules, and the gRPC services, in the document. */
class SecurityAndGrpcDocumentTest {
    @RegisterExtension
    static final TestService service = TestService.of(() -> Chassis.service("vault").http(new Vault())
            .grpc(new Echo())
            .property("security.issuers.main.issuer", "https://issuer.example")
            .property("security.issuers.main.jwks-url", "http://127.0.0.1:9/jwks")
            .property("security.issuers.main.audience", "vault"));

    /** Handlers with each kind of rule. */
    @Path("/secrets")
    @Authenticated
    public static final class Vault {
        @Get("/public")
        @PermitAll
        public String open() {
            return "open";
        }

        @Get("/{name}")
        public String read(@PathParam String name) {
            return name;
        }

        @Get("/{name}/admin")
        @RolesAllowed({"admin", "owner"})
        @Scopes({"secrets:read", "secrets:admin"})
        public String admin(@PathParam String name) {
            return name;
        }

        @Get("/{name}/machine")
        @Workloads("spiffe://example.org/ns/vault/*")
        public String machine(@PathParam String name) {
            return name;
        }
    }

    /** A gRPC service. */
    static final class Echo extends EchoGrpc.EchoImplBase {
        @Override
        public void say(EchoRequest request, StreamObserver<EchoReply> reply) {
            reply.onNext(EchoReply.newBuilder().setText(request.getText()).build());
            reply.onCompleted();
        }
    }

    static JsonNode document() {
        return service.client().get("/openapi").json();
    }

    @Test
    void validWithNoErrorsOrWarnings() {
        assertThat(OpenApiDocumentTest.problems(service.client().get("/openapi").body())).isEmpty();
    }

    @Test
    void permitAllNeedsNoCredential() {
        JsonNode op = document().path("paths").path("/secrets/public").path("get");
        assertThat(op.has("security")).isFalse();
        assertThat(op.path("responses").has("401")).isFalse();
    }

    @Test
    void authenticatedNeedsABearerToken() {
        JsonNode op = document().path("paths").path("/secrets/{name}").path("get");
        assertThat(op.path("security").toString()).isEqualTo("[{\"bearer\":[]}]");
        assertThat(op.path("responses").has("401")).isTrue();
        assertThat(op.path("responses").has("403")).isFalse();
        assertThat(document().path("components").path("securitySchemes").path("bearer").toString())
                .contains("\"type\":\"http\"", "\"scheme\":\"bearer\"", "\"bearerFormat\":\"JWT\"");
    }

    @Test
    void scopesAndRolesAreListed() {
        JsonNode op = document().path("paths").path("/secrets/{name}/admin").path("get");
        assertThat(op.path("security").toString()).isEqualTo("[{\"bearer\":[\"secrets:read\",\"secrets:admin\"]}]");
        assertThat(op.path("x-roles-allowed").toString()).isEqualTo("[\"admin\",\"owner\"]");
        assertThat(op.path("responses").has("401")).isTrue();
        assertThat(op.path("responses").has("403")).isTrue();
    }

    @Test
    void aWorkloadRuleNeedsMutualTls() {
        JsonNode op = document().path("paths").path("/secrets/{name}/machine").path("get");
        assertThat(op.path("security").toString()).isEqualTo("[{\"mutualTLS\":[]}]");
        assertThat(document().path("components").path("securitySchemes").path("mutualTLS").path("type").asText())
                .isEqualTo("mutualTLS");
    }

    @Test
    void grpcServicesAndMethodsAreAnExtension() {
        JsonNode services = document().path("x-grpc-services");
        assertThat(services.size()).isEqualTo(2);
        JsonNode echo = services.get(0);
        assertThat(echo.path("name").asText()).isEqualTo("chassis.test.Echo");
        assertThat(echo.path("file").asText()).isEqualTo("echo.proto");
        assertThat(echo.path("methods").get(0).toString()).isEqualTo("{\"name\":\"Say\",\"fullName\":\"chassis.test.Echo/Say\","
                + "\"type\":\"UNARY\",\"input\":\"chassis.test.EchoRequest\",\"output\":\"chassis.test.EchoReply\"}");
        assertThat(echo.path("methods").findValuesAsText("type"))
                .containsExactly("UNARY", "SERVER_STREAMING", "CLIENT_STREAMING", "BIDI_STREAMING");
        assertThat(services.get(1).path("name").asText()).isEqualTo("grpc.health.v1.Health");
        assertThat(services.get(1).path("methods").findValuesAsText("name")).containsExactly("Check", "Watch");
    }
}
