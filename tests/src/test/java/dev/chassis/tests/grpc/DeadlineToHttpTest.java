package dev.chassis.tests.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.client.ClientTimeoutException;
import dev.chassis.core.http.Client;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.testing.Eventually;
import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoReply;
import dev.chassis.tests.grpc.proto.EchoRequest;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

/** An HTTP call made inside a gRPC handler inherits what is left of the handler's deadline. */
public class DeadlineToHttpTest {
    /** A peer that answers after 5 s: longer than any deadline these tests give (also InterruptLeakTest's). */
    @Path("/")
    public static final class Slow {
        @Get("/slow")
        public String slow() throws InterruptedException {
            Thread.sleep(5_000);
            return "late";
        }
    }

    @Client("slow")
    public interface SlowClient {
        @Get("/slow")
        String slow();
    }

    /** Records how the HTTP call ended and how long it took. */
    static final AtomicReference<Throwable> FAILURE = new AtomicReference<>();
    static final AtomicReference<Duration> TOOK = new AtomicReference<>();
    static volatile CountDownLatch entered = new CountDownLatch(1);

    public static final class ViaHttp extends EchoGrpc.EchoImplBase {
        private final SlowClient slow;

        ViaHttp(SlowClient slow) {
            this.slow = slow;
        }

        @Override
        public void say(EchoRequest request, StreamObserver<EchoReply> observer) {
            long t0 = System.nanoTime();
            entered.countDown();
            try {
                observer.onNext(EchoReply.newBuilder().setText(slow.slow()).build());
                observer.onCompleted();
            } catch (RuntimeException e) {
                FAILURE.set(e);
                throw e;
            } finally {
                TOOK.set(Duration.ofNanos(System.nanoTime() - t0));
            }
        }
    }

    @Test
    void theHttpCallStopsWhenTheGrpcCallIsCancelled() throws Exception {
        FAILURE.set(null);
        TOOK.set(null);
        entered = new CountDownLatch(1);
        try (RunningService slowService = Chassis.service("slow").property("server.port", "0").http(new Slow()).start()) {
            ServiceBuilder b = Chassis.service("front").property("server.port", "0")
                    .property("clients.slow.url", slowService.uri().toString())
                    .property("clients.slow.retry.enabled", "false");
            SlowClient client = b.client(SlowClient.class);
            try (RunningService front = b.grpc(new ViaHttp(client)).start()) {
                ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", front.port()).usePlaintext().build();
                try {
                    Context.CancellableContext ctx = Context.current().withCancellation();
                    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
                    ctx.run(() -> EchoGrpc.newStub(channel).say(EchoRequest.getDefaultInstance(), new StreamObserver<>() {
                        @Override
                        public void onNext(EchoReply value) {
                        }

                        @Override
                        public void onError(Throwable t) {
                            outcome.complete(t);
                        }

                        @Override
                        public void onCompleted() {
                            outcome.complete(null);
                        }
                    }));
                    assertThat(entered.await(10, TimeUnit.SECONDS)).as("the handler started its HTTP call").isTrue();
                    ctx.cancel(null); // the client gives up; no deadline anywhere
                    assertThat(outcome.get(10, TimeUnit.SECONDS)).isNotNull();
                    Eventually.within(Duration.ofSeconds(15)).until("the HTTP call ended", () -> TOOK.get() != null);
                    assertThat(FAILURE.get()).isInstanceOf(ClientTimeoutException.class)
                            .hasMessageContaining("cancelled");
                    assertThat(TOOK.get()).as("stopped with the cancellation, not after the 5 s answer or 10 s timeout")
                            .isLessThan(Duration.ofSeconds(4));
                } finally {
                    channel.shutdownNow();
                }
            }
        }
    }

    @Test
    void theHttpCallGivesUpWithTheGrpcDeadline() throws Exception {
        FAILURE.set(null);
        TOOK.set(null);
        try (RunningService slowService = Chassis.service("slow").property("server.port", "0").http(new Slow()).start()) {
            ServiceBuilder b = Chassis.service("front").property("server.port", "0")
                    .property("clients.slow.url", slowService.uri().toString())
                    .property("clients.slow.retry.enabled", "false"); // request-timeout stays at its 10 s default
            SlowClient client = b.client(SlowClient.class);
            try (RunningService front = b.grpc(new ViaHttp(client)).start()) {
                ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", front.port()).usePlaintext().build();
                try {
                    assertThatThrownBy(() -> EchoGrpc.newBlockingStub(channel).withDeadlineAfter(500, TimeUnit.MILLISECONDS)
                            .say(EchoRequest.getDefaultInstance()))
                            .isInstanceOfSatisfying(StatusRuntimeException.class,
                                    e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
                    Eventually.within(Duration.ofSeconds(15)).until("the HTTP call ended", () -> TOOK.get() != null);
                    assertThat(FAILURE.get()).isInstanceOf(ClientTimeoutException.class);
                    assertThat(TOOK.get()).as("bounded by the 500 ms deadline, not the 10 s request timeout")
                            .isLessThan(Duration.ofSeconds(4));
                } finally {
                    channel.shutdownNow();
                }
            }
        }
    }
}
