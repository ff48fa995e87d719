package dev.chassis.tests.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.client.RemoteProblemException;
import dev.chassis.core.config.ConfigException;
import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoRequest;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * Two services: a plain grpc-java client calls A, which calls B through a Chassis channel by name.
 *
 * <p>The test that cancels a call runs last: after a client cancelled a stream, Helidon 4.5.0 was seen to answer
 * the connection's next stream with GOAWAY (PROTOCOL_ERROR), failing that call (docs/grpc.md, known gaps).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GrpcChannelsTest {
    private static RunningService b;
    private static RunningService a;
    private static Channel toB;
    private static ManagedChannel client;

    @BeforeAll
    static void start() {
        b = Chassis.service("echo-b").property("server.port", "0").grpc(new EchoService()).start();
        ServiceBuilder builder = Chassis.service("echo-a").property("server.port", "0")
                .property("clients.echo-b.url", b.uri().toString());
        toB = builder.grpcChannel("echo-b");
        a = builder.grpc(new EchoForwarder(toB)).start();
        client = ManagedChannelBuilder.forAddress("127.0.0.1", a.port()).usePlaintext().build();
        // connect both hops now, so that deadlines below measure calls, not first connections
        EchoGrpc.newBlockingStub(client).withDeadlineAfter(20, TimeUnit.SECONDS).say(EchoRequest.newBuilder().setText("warm").build());
    }

    @AfterAll
    static void stop() throws InterruptedException {
        client.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        a.stop();
        b.stop();
    }

    @Test
    void aCallsBByName() {
        assertThat(EchoGrpc.newBlockingStub(client).withDeadlineAfter(10, TimeUnit.SECONDS)
                .say(EchoRequest.newBuilder().setText("hi").build()).getText()).isEqualTo("via A: hi");
    }

    @Test
    void aFailedCallCarriesTheSameProblemTypeAsTheHttpClient() {
        assertThatThrownBy(() -> EchoGrpc.newBlockingStub(toB).say(EchoRequest.newBuilder().setText("x")
                .setBehaviour("problem-404").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getCause()).isInstanceOfSatisfying(RemoteProblemException.class, p -> {
                        assertThat(p.status()).isEqualTo(404);
                        assertThat(p.problem().detail()).isEqualTo("no echo for x");
                        assertThat(p.target()).isEqualTo("echo-b");
                    });
                });
    }

    @Test
    void aDownstreamFailureIsAnsweredAsTheCallersOwn() {
        assertThatThrownBy(() -> EchoGrpc.newBlockingStub(client).withDeadlineAfter(10, TimeUnit.SECONDS)
                .say(EchoRequest.newBuilder().setText("x").setBehaviour("problem-404").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).as("A answers 502 → UNAVAILABLE, not B's NOT_FOUND")
                            .isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription()).isEqualTo("a call to echo-b answered 404");
                });
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void theCallersDeadlineReachesTheDownstreamAndCancelsIt() throws InterruptedException {
        assertThatThrownBy(() -> EchoGrpc.newBlockingStub(client).withDeadlineAfter(2, TimeUnit.SECONDS)
                .say(EchoRequest.newBuilder().setText("x").setBehaviour("sleep-20000").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        assertThat(EchoService.CANCELLED.await(10, TimeUnit.SECONDS))
                .as("B's handler was cancelled when A's deadline passed").isTrue();
        assertThat(EchoService.lastDeadlineMillis).as("B saw what was left of the 2 s").isBetween(0L, 2000L);
    }

    @Test
    void aChannelWithNowhereToGoFailsStartUp() {
        ServiceBuilder lost = Chassis.service("lost").property("server.port", "0");
        lost.grpcChannel("nowhere");
        assertThatThrownBy(lost::start)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("set clients.nowhere.url");
    }

    @Test
    void aChannelUsedBeforeItsServiceStartsSaysSo() {
        Channel early = Chassis.service("early").grpcChannel("echo-b");
        assertThatThrownBy(() -> EchoGrpc.newBlockingStub(early).say(EchoRequest.getDefaultInstance()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("connects when its service starts");
    }
}
