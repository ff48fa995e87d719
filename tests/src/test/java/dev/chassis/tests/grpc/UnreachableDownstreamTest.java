package dev.chassis.tests.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.client.UnreachableException;
import dev.chassis.core.http.Client;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.testing.TestClient;
import dev.chassis.testing.TestResponse;
import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoRequest;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** A downstream nobody listens for answers the same 503 with Retry-After whether it is called over HTTP or gRPC. */
class UnreachableDownstreamTest {
    private static RunningService front;
    private static Channel toDead;

    @Client("dead-http")
    public interface DeadHttp {
        @Get("/x")
        String x();
    }

    @Path("/call")
    public static final class CallerApi {
        private final DeadHttp http;
        private final Channel grpc;

        CallerApi(DeadHttp http, Channel grpc) {
            this.http = http;
            this.grpc = grpc;
        }

        @Get("/http")
        public String viaHttp() {
            return http.x();
        }

        @Get("/grpc")
        public String viaGrpc() {
            return EchoGrpc.newBlockingStub(grpc).say(EchoRequest.newBuilder().setText("x").build()).getText();
        }
    }

    @BeforeAll
    static void start() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort(); // free once closed: nothing listens there
        }
        String nowhere = "http://127.0.0.1:" + closed;
        ServiceBuilder builder = Chassis.service("front").property("server.port", "0")
                .property("clients.dead-http.url", nowhere).property("clients.dead-grpc.url", nowhere)
                .property("clients.dead-http.retry.enabled", "false");
        toDead = builder.grpcChannel("dead-grpc");
        DeadHttp http = builder.client(DeadHttp.class);
        front = builder.http(new CallerApi(http, toDead)).start();
    }

    @AfterAll
    static void stop() {
        front.stop();
    }

    @Test
    void overHttpAndOverGrpcTheCallerAnswers503WithRetryAfter() {
        TestClient client = new TestClient(front.uri());
        TestResponse viaHttp = client.get("/call/http");
        TestResponse viaGrpc = client.get("/call/grpc");
        assertThat(viaHttp.status()).as(viaHttp.body()).isEqualTo(503);
        assertThat(viaGrpc.status()).as(viaGrpc.body()).isEqualTo(503);
        assertThat(viaHttp.header("Retry-After")).contains("1");
        assertThat(viaGrpc.header("Retry-After")).contains("1");
        assertThat(viaGrpc.json().get("detail").asText()).isEqualTo("dead-grpc is unreachable");
    }

    @Test
    void theChannelsFailureCarriesAnUnreachableException() {
        assertThatThrownBy(() -> EchoGrpc.newBlockingStub(toDead).withDeadlineAfter(10, TimeUnit.SECONDS)
                .say(EchoRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getCause()).isInstanceOfSatisfying(UnreachableException.class,
                            u -> assertThat(u.target()).isEqualTo("dead-grpc"));
                });
    }
}
