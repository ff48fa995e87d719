package dev.chassis.security.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.internal.shared.CurrentCaller;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import no.nav.security.mock.oauth2.MockOAuth2Server;

/**
 * The same credentials on a Chassis gRPC channel, against a plain grpc-java server that records the
 * {@code authorization} metadata of each call and refuses the calls its script says with {@code UNAUTHENTICATED}.
 */
class GrpcCredentialsTest {
    private static final MethodDescriptor<String, String> ECHO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("test.Echo/Say")
            .setRequestMarshaller(new Text()).setResponseMarshaller(new Text()).build();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final Queue<Status> script = new ConcurrentLinkedQueue<>();
    private MockOAuth2Server provider;
    private Server server;
    private RunningService caller;

    @BeforeEach
    void start() throws IOException {
        provider = new MockOAuth2Server();
        provider.start();
        ServerServiceDefinition echo = ServerServiceDefinition.builder("test.Echo")
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext("echo " + request);
                    response.onCompleted();
                })).build();
        ServerInterceptor recorder = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                              ServerCallHandler<Q, R> next) {
                String authorization = headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER));
                authorizations.add(authorization == null ? "none" : authorization);
                Status refuse = script.poll();
                if (refuse != null) {
                    call.close(refuse, new Metadata());
                    return new ServerCall.Listener<>() { };
                }
                return next.startCall(call, headers);
            }
        };
        server = NettyServerBuilder.forPort(0).addService(ServerInterceptors.intercept(echo, recorder)).build().start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (caller != null) {
            caller.stop();
        }
        server.shutdownNow().awaitTermination();
        provider.shutdown();
    }

    private Channel channel(Map<String, String> properties) {
        ServiceBuilder b = Chassis.service("caller").property("server.port", "0")
                .property("clients.echo.url", "http://localhost:" + server.getPort())
                .property("clients.echo.credentials", "client-credentials")
                .property("clients.echo.client-credentials.token-url", provider.tokenEndpointUrl("default").toString())
                .property("clients.echo.client-credentials.client-id", "orders")
                .property("clients.echo.client-credentials.client-secret", "s3cret");
        properties.forEach(b::property);
        Channel channel = b.grpcChannel("echo");
        caller = b.start();
        return channel;
    }

    private static String say(Channel channel, String what) {
        return ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, what);
    }

    @Test
    void callsCarryOneClientCredentialsTokenAndAnUnauthenticatedAnswerReplacesIt() {
        Channel channel = channel(Map.of());
        assertThat(say(channel, "a")).isEqualTo("echo a");
        assertThat(say(channel, "b")).isEqualTo("echo b");
        assertThat(authorizations).hasSize(2).allMatch(a -> a.startsWith("Bearer ey"));
        assertThat(authorizations.get(0)).isEqualTo(authorizations.get(1));

        script.add(Status.UNAUTHENTICATED.withDescription("token refused"));
        assertThatThrownBy(() -> say(channel, "c")).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThat(say(channel, "d")).isEqualTo("echo d");
        assertThat(authorizations.get(3)).as("a new token after UNAUTHENTICATED").isNotEqualTo(authorizations.get(2));
    }

    @Test
    void relayPassesTheCallsTokenThrough() throws Exception {
        Channel channel = channel(Map.of("clients.echo.credentials", "relay"));
        // the server side of chassis-security puts the verified token in the gRPC call's context so; here the test does
        Context.current().withValue(CurrentCaller.TOKEN_KEY, "user-token").call(() -> say(channel, "a"));
        say(channel, "b");
        assertThat(authorizations).containsExactly("Bearer user-token", "none");
    }

    @Test
    void anUnreachableTokenEndpointFailsTheCallUnavailableWithoutCallingTheTarget() throws IOException {
        String down;
        try (ServerSocket s = new ServerSocket(0)) {
            down = "http://localhost:" + s.getLocalPort() + "/token";
        }
        Channel channel = channel(Map.of("clients.echo.client-credentials.token-url", down));
        assertThatThrownBy(() -> say(channel, "a")).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.getStatus().getDescription()).contains(down).doesNotContain("s3cret");
            assertThat(e.getStatus().getCause()).isInstanceOf(TokenUnavailableException.class);
        });
        assertThat(authorizations).isEmpty();
    }

    /** UTF-8 text as the messages: no generated code needed. */
    private static final class Text implements MethodDescriptor.Marshaller<String> {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
