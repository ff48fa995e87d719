package dev.chassis.tests.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
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

/** What the gRPC HTTP/2 protocol asks of a server, checked with a plain grpc-java (Netty) client. */
class GrpcConformanceTest {
    @RegisterExtension
    static final TestService service = TestService.of(() -> Chassis.service("conformance").grpc(new EchoService()));

    private static ManagedChannel channel;

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", service.port()).usePlaintext().build();
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void aStatusMessageWithWhitespaceControlAndNonAsciiCharactersReachesTheClientUnchanged() {
        for (String message : List.of("\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n",
                "é 中 😀 100% done", "%41 is not A", "line one\nline two", "plain ASCII")) {
            assertThatThrownBy(() -> EchoGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .say(EchoRequest.newBuilder().setText(message).setBehaviour("status-text").build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).as(message).isEqualTo(Status.Code.ABORTED);
                        assertThat(e.getStatus().getDescription()).isEqualTo(message);
                    });
        }
        assertThat(EchoGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .say(EchoRequest.newBuilder().setText("still serving").build()).getText()).isEqualTo("still serving");
    }
}
