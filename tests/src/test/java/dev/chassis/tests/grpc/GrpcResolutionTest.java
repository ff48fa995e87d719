package dev.chassis.tests.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.testing.Eventually;
import dev.chassis.tests.ext.GreetingExtension;
import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoReply;
import dev.chassis.tests.grpc.proto.EchoRequest;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;

/**
 * A channel follows its target's instances as a resolver changes them. The resolver is this module's test
 * extension, steered by the test — a stand-in for the discovery back-ends of a later issue.
 */
class GrpcResolutionTest {
    /** Answers with its own name, so that the test sees which instance served. */
    static final class Named extends EchoGrpc.EchoImplBase {
        private final String name;

        Named(String name) {
            this.name = name;
        }

        @Override
        public void say(EchoRequest request, StreamObserver<EchoReply> observer) {
            observer.onNext(EchoReply.newBuilder().setText(name).build());
            observer.onCompleted();
        }
    }

    @AfterEach
    void forget() {
        GreetingExtension.INSTANCES.remove("moving");
    }

    @Test
    void aChannelMovesToTheInstancesItsResolverNowNames() {
        try (RunningService one = Chassis.service("one").property("server.port", "0").grpc(new Named("one")).start();
             RunningService two = Chassis.service("two").property("server.port", "0").grpc(new Named("two")).start()) {
            GreetingExtension.INSTANCES.put("moving", List.of(one.uri()));
            ServiceBuilder b = Chassis.service("caller").property("server.port", "0")
                    .property("clients.moving.resolve-interval", "100ms");
            Channel channel = b.grpcChannel("moving");
            try (RunningService caller = b.start()) {
                assertThat(say(channel)).isEqualTo("one");
                GreetingExtension.INSTANCES.put("moving", List.of(two.uri()));
                Eventually.within(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(say(channel))
                        .as("served by the instance the resolver names now").isEqualTo("two"));
                assertThat(caller.isRunning()).isTrue();
            }
        }
    }

    private static String say(Channel channel) {
        return EchoGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .say(EchoRequest.getDefaultInstance()).getText();
    }
}
