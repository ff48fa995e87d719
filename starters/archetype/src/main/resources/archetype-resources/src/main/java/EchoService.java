package ${package};

import ${package}.grpc.EchoGrpc;
import ${package}.grpc.SayReply;
import ${package}.grpc.SayRequest;
import io.grpc.stub.StreamObserver;

/** The gRPC service, generated from src/main/proto/echo.proto and served on the same port as HTTP. */
public final class EchoService extends EchoGrpc.EchoImplBase {
    @Override
    public void say(SayRequest request, StreamObserver<SayReply> response) {
        response.onNext(SayReply.newBuilder().setText("echo: " + request.getText()).build());
        response.onCompleted();
    }
}
