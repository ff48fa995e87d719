package dev.chassis.tests.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Chassis;
import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoRequest;
import dev.chassis.testing.TestService;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** Message size limits: an oversized message gets RESOURCE_EXHAUSTED and the server keeps serving. */
class GrpcLimitsTest {
    @RegisterExtension
    static final TestService service = TestService.of(() -> Chassis.service("limits").grpc(new EchoService())
            .property("grpc.max-message-size", "1MiB"));

    private static ManagedChannel channel;

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", service.port()).usePlaintext()
                .maxInboundMessageSize(64 * 1024 * 1024).build();
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void anOversizedMessageIsResourceExhaustedAndTheServerKeepsServing() {
        EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
        assertThat(stub.say(EchoRequest.newBuilder().setText("a".repeat(900 * 1024)).build()).getText()).hasSize(900 * 1024);
        assertThatThrownBy(() -> stub.say(EchoRequest.newBuilder().setText("a".repeat(2 * 1024 * 1024)).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        ManagedChannel other = ManagedChannelBuilder.forAddress("127.0.0.1", service.port()).usePlaintext()
                .maxInboundMessageSize(64 * 1024 * 1024).build();
        try {
            assertThatThrownBy(() -> EchoGrpc.newBlockingStub(other).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .say(EchoRequest.newBuilder().setText("a".repeat(5 * 1024 * 1024)).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
            assertThat(EchoGrpc.newBlockingStub(other).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .say(EchoRequest.newBuilder().setText("same connection").build()).getText())
                    .as("the connection survives the refused call").isEqualTo("same connection");
        } finally {
            other.shutdownNow();
        }
        assertThat(EchoGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .say(EchoRequest.newBuilder().setText("still").build()).getText()).isEqualTo("still");
    }
}
