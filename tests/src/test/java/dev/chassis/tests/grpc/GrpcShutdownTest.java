package dev.chassis.tests.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.testing.Eventually;
import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoReply;
import dev.chassis.tests.grpc.proto.EchoRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

/** Graceful shutdown waits for gRPC calls in flight, as it does for HTTP requests. */
class GrpcShutdownTest {
    @Test
    void aCallInFlightCompletesBeforeThePortCloses() throws Exception {
        EchoService.lastDeadlineMillis = -1; // set again when the slow call reaches the handler
        RunningService service = Chassis.service("draining").property("server.port", "0").grpc(new EchoService()).start();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", service.port()).usePlaintext().build();
        try {
            EchoGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).say(EchoRequest.newBuilder().setText("warm").build());
            CompletableFuture<EchoReply> slow = CompletableFuture.supplyAsync(() -> EchoGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .say(EchoRequest.newBuilder().setText("slow").setBehaviour("sleep-1500").build()));
            Eventually.within(Duration.ofSeconds(10))
                    .until("the slow call is in the handler", () -> EchoService.lastDeadlineMillis >= 0);
            service.stop();
            assertThat(slow.get(30, TimeUnit.SECONDS).getText()).as("the call in flight was answered").isEqualTo("slow");
        } finally {
            channel.shutdownNow();
            service.stop();
        }
    }
}
