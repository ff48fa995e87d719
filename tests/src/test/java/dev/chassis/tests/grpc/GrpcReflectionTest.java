package dev.chassis.tests.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.TimeUnit;

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
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;

/** gRPC reflection: turned off with {@code grpc.reflection.enabled}, moved to the management port with it. */
class GrpcReflectionTest {
    @RegisterExtension
    static final TestService withoutReflection = TestService.of(() -> Chassis.service("quiet").grpc(new EchoService())
            .property("grpc.reflection.enabled", "false"));

    @RegisterExtension
    static final TestService managed = TestService.of(() -> Chassis.service("managed").grpc(new EchoService())
            .property("management.port", "0"));

    /** Lists the services by reflection on that port. */
    private static List<String> listServices(int port) throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            GrpcEndpointsTest.Collector<ServerReflectionResponse> result = new GrpcEndpointsTest.Collector<>();
            StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS).serverReflectionInfo(result);
            requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
            requests.onCompleted();
            return result.await().get(0).getListServicesResponse().getServiceList().stream()
                    .map(ServiceResponse::getName).toList();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static String say(int port) throws InterruptedException {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            return EchoGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .say(EchoRequest.newBuilder().setText("hi").build()).getText();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static Status.Code codeOf(Throwable e) {
        Throwable t = e;
        while (t != null && !(t instanceof StatusRuntimeException)) {
            t = t.getCause();
        }
        assertThat(t).as("a gRPC status in " + e).isNotNull();
        return ((StatusRuntimeException) t).getStatus().getCode();
    }

    @Test
    void reflectionOffIsUnimplemented() throws Exception {
        assertThatThrownBy(() -> listServices(withoutReflection.port()))
                .satisfies(e -> assertThat(codeOf(e)).isEqualTo(Status.Code.UNIMPLEMENTED));
        assertThat(say(withoutReflection.port())).isEqualTo("hi");
    }

    @Test
    void withAManagementPortReflectionIsServedThereOnly() throws Exception {
        int management = managed.running().managementPort();
        assertThat(listServices(management)).contains("chassis.test.Echo", "grpc.health.v1.Health");
        assertThatThrownBy(() -> listServices(managed.port()))
                .satisfies(e -> assertThat(codeOf(e)).isEqualTo(Status.Code.UNIMPLEMENTED));
    }

    @Test
    void theServicesAreCalledOnTheServicePortOnly() throws Exception {
        assertThat(say(managed.port())).isEqualTo("hi");
        assertThatThrownBy(() -> say(managed.running().managementPort()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
                    assertThat(e.getStatus().getDescription()).contains("served on the service port");
                });
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", managed.port()).usePlaintext().build();
        try {
            assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus())
                    .as("gRPC health stays on the service port, beside the services it reports on")
                    .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
