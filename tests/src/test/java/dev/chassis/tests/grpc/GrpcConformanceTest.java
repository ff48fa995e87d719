package dev.chassis.tests.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Chassis;
import dev.chassis.tests.LogCapture;
import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoReply;
import dev.chassis.tests.grpc.proto.EchoRequest;
import dev.chassis.testing.TestService;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Codec;
import io.grpc.CompressorRegistry;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;

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
    void aGzipRequestIsInflatedAndAnsweredUncompressed() {
        AtomicReference<String> answerEncoding = new AtomicReference<>();
        Channel seeing = ClientInterceptors.intercept(channel, responseEncoding(answerEncoding));
        String text = "gzip me ".repeat(100 * 1024 / 8); // 100 KB, far under the limit
        EchoReply reply = EchoGrpc.newBlockingStub(seeing).withCompression("gzip").withDeadlineAfter(10, TimeUnit.SECONDS)
                .say(EchoRequest.newBuilder().setText(text).build());
        assertThat(reply.getText()).isEqualTo(text);
        assertThat(answerEncoding.get()).as("grpc-encoding of the answer").isIn(null, "identity");
    }

    @Test
    void severalGzipMessagesOnOneCallAreEachInflated() throws Exception {
        CompletableFuture<EchoReply> done = new CompletableFuture<>();
        StreamObserver<EchoRequest> requests = EchoGrpc.newStub(channel).withCompression("gzip")
                .withDeadlineAfter(10, TimeUnit.SECONDS).collect(new StreamObserver<>() {
                    @Override
                    public void onNext(EchoReply value) {
                        done.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        for (String part : List.of("a".repeat(70_000), "b", "c".repeat(300_000))) {
            requests.onNext(EchoRequest.newBuilder().setText(part).build());
        }
        requests.onCompleted();
        EchoReply reply = done.get(10, TimeUnit.SECONDS);
        assertThat(reply.getIndex()).isEqualTo(3);
        assertThat(reply.getText()).isEqualTo("a".repeat(70_000) + "b" + "c".repeat(300_000));
    }

    @Test
    void aCompressedBombIsResourceExhaustedAndTheServerKeepsServing() {
        MethodDescriptor<Long, EchoReply> zeros = EchoGrpc.getSayMethod().toBuilder(new Zeros(),
                ProtoUtils.marshaller(EchoReply.getDefaultInstance())).build();
        // 100 MB of zeros, about 100 KB gzipped: inflated, it would be 25 times grpc.max-message-size (4 MiB)
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, zeros,
                CallOptions.DEFAULT.withCompression("gzip").withDeadlineAfter(30, TimeUnit.SECONDS), 100L * 1024 * 1024))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(e.getStatus().getDescription()).contains("grpc.max-message-size");
                });
        assertThat(EchoGrpc.newBlockingStub(channel).withCompression("gzip").withDeadlineAfter(10, TimeUnit.SECONDS)
                .say(EchoRequest.newBuilder().setText("same connection").build()).getText()).isEqualTo("same connection");
    }

    @Test
    void anUnsupportedEncodingIsUnimplementedWithTheAcceptedOnes() throws InterruptedException {
        ManagedChannel other = ManagedChannelBuilder.forAddress("127.0.0.1", service.port()).usePlaintext()
                .compressorRegistry(registryWith(new Codec() {
                    @Override
                    public String getMessageEncoding() {
                        return "x-snappy";
                    }

                    @Override
                    public OutputStream compress(OutputStream os) {
                        return os;
                    }

                    @Override
                    public InputStream decompress(InputStream is) {
                        return is;
                    }
                })).build();
        try {
            assertThatThrownBy(() -> EchoGrpc.newBlockingStub(other).withCompression("x-snappy")
                    .withDeadlineAfter(10, TimeUnit.SECONDS).say(EchoRequest.newBuilder().setText("x").build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
                        assertThat(e.getTrailers().get(Metadata.Key.of("grpc-accept-encoding",
                                Metadata.ASCII_STRING_MARSHALLER))).contains("gzip");
                    });
        } finally {
            other.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void oversizedMessagesAreRefusedWithOneCountedLineAndNoStackTrace() {
        LogCapture capture = new LogCapture();
        List<LogRecord> records = capture.records();
        Logger helidon = Logger.getLogger("io.helidon.webserver.grpc.GrpcProtocolHandler");
        Logger chassis = Logger.getLogger("dev.chassis.core.internal.grpc.InboundMessages");
        helidon.addHandler(capture);
        chassis.addHandler(capture);
        ManagedChannel big = ManagedChannelBuilder.forAddress("127.0.0.1", service.port()).usePlaintext().build();
        try {
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> EchoGrpc.newBlockingStub(big).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .say(EchoRequest.newBuilder().setText("a".repeat(5 * 1024 * 1024)).build()))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
            }
            assertThat(EchoGrpc.newBlockingStub(big).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .say(EchoRequest.newBuilder().setText("still").build()).getText()).isEqualTo("still");
        } finally {
            big.shutdownNow();
            helidon.removeHandler(capture);
            chassis.removeHandler(capture);
        }
        assertThat(records).noneSatisfy(r -> assertThat(r.getLevel()).isEqualTo(Level.SEVERE));
        assertThat(records).noneSatisfy(r -> assertThat(r.getThrown()).isNotNull());
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.WARNING);
            assertThat(r.getMessage()).startsWith("refused 1 gRPC request message(s) over grpc.max-message-size")
                    .contains("/chassis.test.Echo/Say");
        });
    }

    /** Remembers the {@code grpc-encoding} of the answers' headers. */
    private static ClientInterceptor responseEncoding(AtomicReference<String> seen) {
        return new ClientInterceptor() {
            @Override
            public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<A> listener, Metadata headers) {
                        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onHeaders(Metadata h) {
                                seen.set(h.get(Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER)));
                                super.onHeaders(h);
                            }
                        }, headers);
                    }
                };
            }
        };
    }

    private static CompressorRegistry registryWith(Codec codec) {
        CompressorRegistry registry = CompressorRegistry.newEmptyInstance();
        registry.register(codec);
        registry.register(new Codec.Gzip());
        return registry;
    }

    /** A request that is {@code n} zero bytes, streamed (never held in memory). */
    private static final class Zeros implements MethodDescriptor.Marshaller<Long> {
        @Override
        public InputStream stream(Long n) {
            return new InputStream() {
                private long left = n;

                @Override
                public int read() {
                    return left-- > 0 ? 0 : -1;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    if (left <= 0) {
                        return -1;
                    }
                    int k = (int) Math.min(len, left);
                    Arrays.fill(b, off, off + k, (byte) 0);
                    left -= k;
                    return k;
                }
            };
        }

        @Override
        public Long parse(InputStream stream) {
            throw new UnsupportedOperationException();
        }
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
