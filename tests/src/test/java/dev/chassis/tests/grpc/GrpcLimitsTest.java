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

/**
 * Message size limits: an oversized message is refused and the server keeps serving.
 *
 * <p>Known gap: the standard asks for RESOURCE_EXHAUSTED. Helidon 4.5.0's gRPC handler throws inside the
 * HTTP/2 stream on an oversized message and never closes the call, so the client sees its own deadline
 * pass instead. This test pins what happens today: the message is not delivered, and the server goes on
 * serving.
 */
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
    void anOversizedMessageIsNotDeliveredAndTheServerKeepsServing() {
        EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
        assertThat(stub.say(EchoRequest.newBuilder().setText("a".repeat(900 * 1024)).build()).getText()).hasSize(900 * 1024);
        assertThatThrownBy(() -> EchoGrpc.newBlockingStub(channel).withDeadlineAfter(3, TimeUnit.SECONDS)
                .say(EchoRequest.newBuilder().setText("a".repeat(2 * 1024 * 1024)).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isIn(Status.Code.RESOURCE_EXHAUSTED,
                                Status.Code.DEADLINE_EXCEEDED));
        assertThat(EchoGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .say(EchoRequest.newBuilder().setText("still").build()).getText()).isEqualTo("still");
    }
}
