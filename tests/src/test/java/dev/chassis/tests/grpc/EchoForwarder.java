package dev.chassis.tests.grpc;

import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoReply;
import dev.chassis.tests.grpc.proto.EchoRequest;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;

/** Service A of the two-service tests: forwards {@code Say} to service B through a Chassis channel. */
public final class EchoForwarder extends EchoGrpc.EchoImplBase {
    private final Channel downstream;

    public EchoForwarder(Channel downstream) {
        this.downstream = downstream;
    }

    @Override
    public void say(EchoRequest request, StreamObserver<EchoReply> observer) {
        EchoReply reply = EchoGrpc.newBlockingStub(downstream).say(request);
        observer.onNext(EchoReply.newBuilder().setText("via A: " + reply.getText()).build());
        observer.onCompleted();
    }
}
