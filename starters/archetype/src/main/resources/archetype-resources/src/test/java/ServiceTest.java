package ${package};

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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

/** The service over real sockets: HTTP, gRPC, an event out and in, and the Chassis standard. */
class ServiceTest {
    static final GreetingEvents EVENTS = new GreetingEvents();

    @RegisterExtension
    static final TestService service = TestService.of(() -> Main.service(EVENTS));

    static ManagedChannel channel;

    @AfterAll
    static void closeChannel() {
        if (channel != null) {
            channel.shutdownNow();
        }
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
    void aPostPublishesAnEventThatTheMessageHandlerConsumes() {
        assertThat(service.client().post("/greetings", "{\"name\":\"bob\"}").status()).isEqualTo(201);
        assertThat(InMemoryBroker.named("default").events("greetings.sent", GreetingApi.GreetingSent.class))
                .contains(new GreetingApi.GreetingSent("bob", "Hello, bob!"));
        Eventually.within(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(EVENTS.received())
                .contains(new GreetingApi.GreetingSent("bob", "Hello, bob!")));
    }

    @Test
    void followsTheChassisStandard() {
        // health, /info, problem+json, traceparent, /metrics, gRPC health: see Conformance
        Conformance.of(service.running()).badInput("POST", "/greetings").check();
    }
}
