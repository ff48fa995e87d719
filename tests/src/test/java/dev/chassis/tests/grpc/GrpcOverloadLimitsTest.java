package dev.chassis.tests.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Chassis;
import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoRequest;
import dev.chassis.testing.TestService;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;

/**
 * gRPC's overload limits: a call without {@code grpc-timeout} ends at {@code grpc.default-timeout} with
 * DEADLINE_EXCEEDED and its context cancelled, one asking for more than {@code grpc.max-timeout} at that
 * maximum; health Watch streams above {@code health.max-watchers} get
 * RESOURCE_EXHAUSTED. Other calls are served meanwhile.
 */
class GrpcOverloadLimitsTest {
    @RegisterExtension
    static final TestService service = TestService.of(() -> Chassis.service("grpc-limits").grpc(new EchoService())
            .property("grpc.default-timeout", "300ms")
            .property("grpc.max-timeout", "1s")
            .property("health.max-watchers", "2"));

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
    void aCallWithoutADeadlineEndsAtTheDefaultOneAndIsCancelled() throws InterruptedException {
        // no withDeadlineAfter: the client sends no grpc-timeout, and would wait for a minute
        assertThatThrownBy(() -> EchoGrpc.newBlockingStub(channel)
                .say(EchoRequest.newBuilder().setText("slow").setBehaviour("sleep-60000").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
                    assertThat(e.getStatus().getDescription()).contains("grpc.default-timeout");
                });
        assertThat(EchoService.lastDeadlineMillis).as("the handler saw the default deadline").isBetween(0L, 300L);
        // the call's close and the handler's cancellation listener run one after the other on the timer's thread: the
        // client may see the status a moment before the handler hears of it
        assertThat(EchoService.CANCELLED.await(10, TimeUnit.SECONDS)).as("the handler's context was cancelled").isTrue();
        assertThat(EchoGrpc.newBlockingStub(channel).say(EchoRequest.newBuilder().setText("next").build()).getText())
                .isEqualTo("next");
    }

    @Test
    void aClientsOwnDeadlineWinsOverTheDefault() {
        assertThat(EchoGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .say(EchoRequest.newBuilder().setText("in time").setBehaviour("sleep-600").build()).getText())
                .isEqualTo("in time");
    }

    @Test
    void aClientsDeadlineLongerThanTheMaximumIsShortenedToIt() {
        // a client cannot switch the server's deadline off by asking for hours
        assertThatThrownBy(() -> EchoGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.HOURS)
                .say(EchoRequest.newBuilder().setText("slow").setBehaviour("sleep-60000").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
                    assertThat(e.getStatus().getDescription()).contains("1000 ms, grpc.max-timeout");
                });
    }

    /** One client cannot hold every Watch slot: at most 8 on one connection, while other connections still watch. */
    @Test
    void oneConnectionHoldsAtMostEightWatchers() throws Exception {
        try (var roomy = Chassis.service("watched").grpc(new EchoService()).property("server.port", "0")
                .property("health.max-watchers", "100").start()) {
            ManagedChannel greedy = ManagedChannelBuilder.forAddress("127.0.0.1", roomy.port()).usePlaintext().build();
            ManagedChannel other = ManagedChannelBuilder.forAddress("127.0.0.1", roomy.port()).usePlaintext().build();
            List<ClientCall<HealthCheckRequest, HealthCheckResponse>> open = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    BlockingQueue<Object> seen = new LinkedBlockingQueue<>();
                    open.add(watch(greedy, seen));
                    assertThat(seen.poll(10, TimeUnit.SECONDS)).as("watcher %d is served", i)
                            .isInstanceOf(HealthCheckResponse.class);
                }
                BlockingQueue<Object> ninth = new LinkedBlockingQueue<>();
                open.add(watch(greedy, ninth));
                assertThat(ninth.poll(10, TimeUnit.SECONDS)).as("the ninth watch on the connection is refused")
                        .isInstanceOfSatisfying(Status.class, st -> {
                            assertThat(st.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                            assertThat(st.getDescription()).contains("on this connection (health.max-watchers-per-connection)");
                        });
                BlockingQueue<Object> elsewhere = new LinkedBlockingQueue<>();
                open.add(watch(other, elsewhere));
                assertThat(elsewhere.poll(10, TimeUnit.SECONDS)).as("another connection watches")
                        .isInstanceOf(HealthCheckResponse.class);
            } finally {
                open.forEach(c -> c.cancel("done", null));
                greedy.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                other.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void healthWatchersAboveTheBoundAreRefusedAndCheckStillAnswers() throws Exception {
        List<ClientCall<HealthCheckRequest, HealthCheckResponse>> open = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                BlockingQueue<Object> seen = new LinkedBlockingQueue<>();
                open.add(watch(seen));
                assertThat(seen.poll(10, TimeUnit.SECONDS)).as("watcher %d is served", i)
                        .isInstanceOf(HealthCheckResponse.class);
            }
            BlockingQueue<Object> third = new LinkedBlockingQueue<>();
            open.add(watch(third));
            assertThat(third.poll(10, TimeUnit.SECONDS)).as("the third watch is refused")
                    .isInstanceOfSatisfying(Status.class,
                            s -> assertThat(s.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
            assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus())
                    .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            open.remove(0).cancel("done", null);
            BlockingQueue<Object> again = new LinkedBlockingQueue<>();
            open.add(watch(again));
            assertThat(again.poll(10, TimeUnit.SECONDS)).as("a place freed is taken again")
                    .isInstanceOf(HealthCheckResponse.class);
        } finally {
            open.forEach(c -> c.cancel("done", null));
        }
    }

    /** Opens a Watch; its answers and its closing status go to {@code seen}. */
    private static ClientCall<HealthCheckRequest, HealthCheckResponse> watch(BlockingQueue<Object> seen) {
        return watch(channel, seen);
    }

    private static ClientCall<HealthCheckRequest, HealthCheckResponse> watch(ManagedChannel on, BlockingQueue<Object> seen) {
        ClientCall<HealthCheckRequest, HealthCheckResponse> call = on.newCall(HealthGrpc.getWatchMethod(),
                CallOptions.DEFAULT);
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onMessage(HealthCheckResponse message) {
                seen.add(message);
                call.request(1);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                seen.add(status);
            }
        }, new Metadata());
        call.sendMessage(HealthCheckRequest.getDefaultInstance());
        call.halfClose();
        call.request(1);
        return call;
    }
}
