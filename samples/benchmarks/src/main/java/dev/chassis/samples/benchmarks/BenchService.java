package dev.chassis.samples.benchmarks;

import dev.chassis.samples.benchmarks.grpc.BenchGrpc;
import dev.chassis.samples.benchmarks.grpc.Payload;
import io.grpc.stub.StreamObserver;

/**
 * The gRPC service {@link GrpcBenchServers} serves three ways: {@code Bench/Unary} answers the payload it
 * receives, unchanged.
 */
public final class BenchService extends BenchGrpc.BenchImplBase {
    /** A new echoing service. */
    public BenchService() {
    }

    @Override
    public void unary(Payload request, StreamObserver<Payload> responseObserver) {
        responseObserver.onNext(request);
        responseObserver.onCompleted();
    }
}
