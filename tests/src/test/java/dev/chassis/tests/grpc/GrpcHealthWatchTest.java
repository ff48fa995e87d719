package dev.chassis.tests.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;

/** Watch streams every change: here, readiness turning DOWN when shutdown begins. */
class GrpcHealthWatchTest {
    @Test
    void watchSeesReadinessTurnDownOnShutdown() throws Exception {
        RunningService service = Chassis.service("watched").property("server.port", "0")
                .property("health.watch-interval", "20ms")
                .property("server.shutdown.delay", "2s") // readiness is DOWN while the port still serves
                .grpc(new EchoService())
                .start();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", service.port()).usePlaintext().build();
        BlockingQueue<ServingStatus> seen = new LinkedBlockingQueue<>();
        CountDownLatch ended = new CountDownLatch(1);
        try {
            HealthGrpc.newStub(channel).watch(HealthCheckRequest.newBuilder().setService("chassis.test.Echo").build(),
                    new StreamObserver<>() {
                        @Override
                        public void onNext(HealthCheckResponse value) {
                            seen.add(value.getStatus());
                        }

                        @Override
                        public void onError(Throwable t) {
                        }

                        @Override
                        public void onCompleted() {
                            ended.countDown();
                        }
                    });
            assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo(ServingStatus.SERVING);
            Thread stopper = Thread.ofPlatform().start(service::stop);
            assertThat(seen.poll(10, TimeUnit.SECONDS)).as("the change is streamed").isEqualTo(ServingStatus.NOT_SERVING);
            assertThat(ended.await(10, TimeUnit.SECONDS)).as("the stream ends at shutdown").isTrue();
            stopper.join(TimeUnit.SECONDS.toMillis(30));
        } finally {
            channel.shutdownNow();
            service.stop();
        }
    }
}
