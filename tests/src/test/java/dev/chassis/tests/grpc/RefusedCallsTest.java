package dev.chassis.tests.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Chassis;
import dev.chassis.core.internal.transport.ConnectionEnd;
import dev.chassis.testing.TestService;
import dev.chassis.tests.ext.RefusingGrpcExtension;
import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * Calls refused as they start, by an interceptor inside Chassis' own (as access rules and the concurrency limit
 * refuse them), leave nothing behind on their connection: each open call registers to hear of its HTTP/2 connection's
 * end, and a call that ended while it started must not stay registered — else one connection refused call after call
 * would keep every one of them reachable until it closed.
 */
class RefusedCallsTest {
    @RegisterExtension
    static final TestService service = TestService.of(() -> Chassis.service("refused").grpc(new EchoService())
            .property("test-grpc-refuse.enabled", "true"));

    @Test
    void callsRefusedAsTheyStartStayRegisteredNowhere() throws InterruptedException {
        RefusingGrpcExtension.CONNECTIONS.clear(); // only this run's connection
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", service.port()).usePlaintext().build();
        try {
            EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
            for (int i = 0; i < 200; i++) {
                assertThatThrownBy(() -> stub.say(EchoRequest.newBuilder().setText("hi").build()))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
            }
            assertThat(RefusingGrpcExtension.CONNECTIONS).as("all on one HTTP/2 connection").hasSize(1);
            ConnectionEnd end = RefusingGrpcExtension.CONNECTIONS.iterator().next();
            assertThat(end.listening()).as("refused calls still registered on the open connection").isZero();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
