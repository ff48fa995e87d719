package dev.chassis.tests.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Chassis;
import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoReply;
import dev.chassis.tests.grpc.proto.EchoRequest;
import dev.chassis.testing.TestService;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;

/**
 * gRPC on the service's one port, called by a plain grpc-java client (Netty), which this project did not
 * write.
 */
class GrpcEndpointsTest {
    @RegisterExtension
    static final TestService service = TestService.of(() -> Chassis.service("echo").grpc(new EchoService()));

    private static ManagedChannel channel;

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", service.port()).usePlaintext().build();
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static EchoGrpc.EchoBlockingStub blocking() {
        return EchoGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @Test
    void unary() {
        assertThat(blocking().say(EchoRequest.newBuilder().setText("hi").build()).getText()).isEqualTo("hi");
    }

    @Test
    void serverStreaming() {
        Iterator<EchoReply> replies = blocking().repeat(EchoRequest.newBuilder().setText("x").setTimes(5).build());
        List<Integer> indexes = new ArrayList<>();
        replies.forEachRemaining(r -> indexes.add(r.getIndex()));
        assertThat(indexes).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void clientStreaming() throws Exception {
        Collector<EchoReply> result = new Collector<>();
        StreamObserver<EchoRequest> requests = EchoGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .collect(result);
        for (String s : List.of("a", "b", "c")) {
            requests.onNext(EchoRequest.newBuilder().setText(s).build());
        }
        requests.onCompleted();
        assertThat(result.await()).singleElement().satisfies(r -> {
            assertThat(r.getText()).isEqualTo("abc");
            assertThat(r.getIndex()).isEqualTo(3);
        });
    }

    @Test
    void bidirectionalStreaming() throws Exception {
        Collector<EchoReply> result = new Collector<>();
        StreamObserver<EchoRequest> requests = EchoGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .chat(result);
        requests.onNext(EchoRequest.newBuilder().setText("one").build());
        requests.onNext(EchoRequest.newBuilder().setText("two").build());
        requests.onCompleted();
        assertThat(result.await()).extracting(EchoReply::getText).containsExactly("ONE", "TWO");
    }

    @Test
    void aThrownProblemBecomesTheMappedStatusWithItsDetail() {
        assertThatThrownBy(() -> blocking().say(EchoRequest.newBuilder().setText("x").setBehaviour("problem-404").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).isEqualTo("no echo for x");
                });
        assertThatThrownBy(() -> blocking().say(EchoRequest.newBuilder().setBehaviour("problem-onerror-409").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS));
    }

    @Test
    void anUnexpectedExceptionIsInternalWithoutInternals() {
        assertThatThrownBy(() -> blocking().say(EchoRequest.newBuilder().setBehaviour("boom").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
                    assertThat(e.getStatus().getDescription()).doesNotContain("hunter2").doesNotContain("IllegalState")
                            .contains("traceId");
                });
        assertThat(blocking().say(EchoRequest.newBuilder().setText("still here").build()).getText()).isEqualTo("still here");
    }

    @Test
    void healthCheckAnswersForTheWholeServiceAndEachGrpcService() {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        assertThat(health.check(HealthCheckRequest.newBuilder().setService("").build()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        assertThat(health.check(HealthCheckRequest.newBuilder().setService("chassis.test.Echo").build()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        assertThatThrownBy(() -> health.check(HealthCheckRequest.newBuilder().setService("no.Such").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void healthWatchStreamsTheCurrentStatus() throws Exception {
        BlockingQueue<HealthCheckResponse> seen = new LinkedBlockingQueue<>();
        Context.CancellableContext ctx = Context.current().withCancellation();
        ctx.run(() -> HealthGrpc.newStub(channel).watch(HealthCheckRequest.newBuilder().setService("").build(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(HealthCheckResponse value) {
                        seen.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                }));
        try {
            assertThat(seen.poll(10, TimeUnit.SECONDS)).isNotNull()
                    .extracting(HealthCheckResponse::getStatus).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        } finally {
            ctx.cancel(null);
        }
    }

    @Test
    void anUnknownMethodIsUnimplementedAndTheServerKeepsServing() {
        MethodDescriptor<EchoRequest, EchoReply> nope = EchoGrpc.getSayMethod().toBuilder()
                .setFullMethodName("chassis.test.Echo/Nope").build();
        ManagedChannel own = ManagedChannelBuilder.forAddress("127.0.0.1", service.port()).usePlaintext().build();
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(own, nope,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), EchoRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
        own.shutdownNow();
        // Helidon 4.5.0 may end the connection (GOAWAY) after answering an unknown method: the server stays
        // healthy, a new connection is served.
        ManagedChannel fresh = ManagedChannelBuilder.forAddress("127.0.0.1", service.port()).usePlaintext().build();
        try {
            assertThat(EchoGrpc.newBlockingStub(fresh).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .say(EchoRequest.newBuilder().setText("ok").build()).getText()).isEqualTo("ok");
        } finally {
            fresh.shutdownNow();
        }
    }

    @Test
    void aClientThatDisappearsMidStreamLeavesTheServerHealthy() throws Exception {
        ManagedChannel leaving = ManagedChannelBuilder.forAddress("127.0.0.1", service.port()).usePlaintext().build();
        StreamObserver<EchoRequest> requests = EchoGrpc.newStub(leaving).chat(new Collector<>());
        requests.onNext(EchoRequest.newBuilder().setText("half").build());
        leaving.shutdownNow().awaitTermination(5, TimeUnit.SECONDS); // gone without completing the stream
        assertThat(blocking().say(EchoRequest.newBuilder().setText("after").build()).getText()).isEqualTo("after");
        assertThat(service.client().get("/health/ready").status()).isEqualTo(200);
    }

    @Test
    void aMalformedFrameClosesThatConnectionOnlyAndTheServerStaysHealthy() throws Exception {
        try (Socket raw = new Socket("127.0.0.1", service.port())) {
            raw.setSoTimeout(10_000);
            OutputStream out = raw.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // a SETTINGS frame of 5 bytes: a SETTINGS payload must be a multiple of 6 (FRAME_SIZE_ERROR)
            out.write(new byte[] {0, 0, 5, 4, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5});
            out.flush();
            InputStream in = raw.getInputStream();
            byte[] buf = new byte[4096];
            boolean closed = false;
            try {
                while (in.read(buf) >= 0) {
                    // drain what the server sends (its SETTINGS, a GOAWAY) until it closes
                }
                closed = true;
            } catch (SocketException reset) {
                closed = true;
            }
            assertThat(closed).as("the server ends a connection that breaks the protocol").isTrue();
        }
        assertThat(blocking().say(EchoRequest.newBuilder().setText("unharmed").build()).getText()).isEqualTo("unharmed");
        assertThat(service.client().get("/health/live").status()).isEqualTo(200);
    }

    @Test
    void reflectionListsTheServices() throws Exception {
        Collector<ServerReflectionResponse> result = new Collector<>();
        StreamObserver<ServerReflectionRequest> requests =
                ServerReflectionGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .serverReflectionInfo(result);
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onNext(ServerReflectionRequest.newBuilder()
                .setFileContainingSymbol("chassis.test.Echo").build());
        requests.onCompleted();
        List<ServerReflectionResponse> answers = result.await();
        List<String> names = answers.get(0).getListServicesResponse().getServiceList().stream()
                .map(ServiceResponse::getName).toList();
        assertThat(names).contains("chassis.test.Echo", "grpc.health.v1.Health");
        assertThat(answers.get(1).getFileDescriptorResponse().getFileDescriptorProtoCount())
                .as("the descriptor a tool needs to call Echo").isPositive();
    }

    @Test
    void httpStillWorksOnTheSamePort() {
        assertThat(service.client().get("/health/ready").status()).isEqualTo(200);
        assertThat(service.client().get("/info").json().get("protocols").toString()).contains("grpc");
    }

    /** Collects a stream's values until it completes. */
    static final class Collector<T> implements StreamObserver<T> {
        private final List<T> values = new ArrayList<>();
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile Throwable error;

        @Override
        public synchronized void onNext(T value) {
            values.add(value);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
            done.countDown();
        }

        @Override
        public void onCompleted() {
            done.countDown();
        }

        List<T> await() throws Exception {
            if (!done.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the stream did not complete");
            }
            if (error != null) {
                throw new AssertionError("the stream failed", error);
            }
            synchronized (this) {
                return List.copyOf(values);
            }
        }
    }
}
