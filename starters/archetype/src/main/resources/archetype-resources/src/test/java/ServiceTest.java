package ${package};

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import ${package}.grpc.EchoGrpc;
import ${package}.grpc.SayRequest;
import dev.chassis.messaging.InMemoryBroker;
import dev.chassis.testing.Conformance;
import dev.chassis.testing.Eventually;
import dev.chassis.testing.TestResponse;
import dev.chassis.testing.TestService;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;

/**
 * The service over real sockets: HTTP, gRPC, an event out and in, bearer tokens from a real OpenID Connect provider
 * (mock-oauth2-server, in this JVM), and the Chassis standard.
 */
class ServiceTest {
    static final GreetingEvents EVENTS = new GreetingEvents();
    static final MockOAuth2Server PROVIDER = started(new MockOAuth2Server());

    @RegisterExtension
    static final TestService service = TestService.of(() -> Main.service(EVENTS)
            .property("security.issuers.main.issuer", PROVIDER.issuerUrl("main").toString())
            .property("security.issuers.main.audience", "${serviceName}"));

    static ManagedChannel channel;

    private static MockOAuth2Server started(MockOAuth2Server provider) {
        provider.start(InetAddress.getLoopbackAddress(), 0);
        return provider;
    }

    @AfterAll
    static void close() {
        if (channel != null) {
            channel.shutdownNow();
        }
        PROVIDER.shutdown();
    }

    /** An access token of the provider's issuer {@code main} for this service, with these scopes. */
    static String token(String scope) {
        return PROVIDER.issueToken("main", "web-app", new DefaultOAuth2TokenCallback("main", "ada", "JWT",
                List.of("${serviceName}"), Map.of("scope", scope), 3600)).serialize();
    }

    @Test
    void greetsOverHttp() {
        TestResponse r = service.client().get("/greetings/ada");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("message").asText()).isEqualTo("Hello, ada!");
        assertThat(service.client().get("/greetings/" + "a".repeat(41)).status()).isEqualTo(400);
    }

    @Test
    void echoesOverGrpcOnTheSamePort() {
        channel = ManagedChannelBuilder.forAddress("localhost", service.uri().getPort()).usePlaintext().build();
        String text = EchoGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .say(SayRequest.newBuilder().setText("hi").build()).getText();
        assertThat(text).isEqualTo("echo: hi");
    }

    @Test
    void aPostNeedsATokenGrantingGreetingsWrite() {
        TestResponse anonymous = service.client().post("/greetings", "{\"name\":\"eve\"}");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.header("WWW-Authenticate")).hasValue("Bearer");
        TestResponse reader = service.client().post("/greetings", "{\"name\":\"eve\"}",
                "Authorization", "Bearer " + token("greetings:read"));
        assertThat(reader.status()).isEqualTo(403);
        assertThat(reader.header("WWW-Authenticate").orElseThrow()).contains("error=\"insufficient_scope\"");
        assertThat(service.client().post("/greetings", "{\"name\":\"eve\"}", "Authorization", "Bearer not-a-jwt")
                .status()).isEqualTo(401);
    }

    @Test
    void aPostPublishesAnEventThatTheMessageHandlerConsumes() {
        assertThat(service.client().post("/greetings", "{\"name\":\"bob\"}",
                "Authorization", "Bearer " + token("greetings:write")).status()).isEqualTo(201);
        assertThat(InMemoryBroker.named("default").events("greetings.sent", GreetingApi.GreetingSent.class))
                .contains(new GreetingApi.GreetingSent("bob", "Hello, bob!"));
        Eventually.within(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(EVENTS.received())
                .contains(new GreetingApi.GreetingSent("bob", "Hello, bob!")));
    }

    @Test
    void followsTheChassisStandard() {
        // health, /info, problem+json, traceparent, /metrics, gRPC health: see Conformance
        Conformance.of(service.running())
                .badInput("POST", "/greetings", "Authorization", "Bearer " + token("greetings:write")).check();
    }

    @Test
    void answersAsItsOpenApiDocumentSays() {
        // /openapi describes every handler; each real answer below is checked against it (status and body)
        String token = "Bearer " + token("greetings:write");
        Conformance.openApi(service.running())
                .request("GET", "/greetings/ada")
                .request("GET", "/greetings/" + "a".repeat(41))                          // 400
                .request("POST", "/greetings", "{\"name\":\"ann\"}", "Authorization", token)  // 201
                .request("POST", "/greetings", "{\"name\":\"\"}", "Authorization", token)      // 400
                .request("POST", "/greetings", "{\"name\":\"ann\"}")                       // 401
                .check();
    }
}
