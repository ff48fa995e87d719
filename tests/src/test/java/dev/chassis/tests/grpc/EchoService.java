package dev.chassis.tests.grpc;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.chassis.core.Problem;
import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoReply;
import dev.chassis.tests.grpc.proto.EchoRequest;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/** All four call kinds; {@code behaviour} makes a call fail on purpose. */
public final class EchoService extends EchoGrpc.EchoImplBase {
    /** What the last "sleep-" call saw: its deadline's remaining milliseconds, and whether it was cancelled. */
    static volatile long lastDeadlineMillis = -1;
    static final CountDownLatch CANCELLED = new CountDownLatch(1);

    @Override
    public void say(EchoRequest request, StreamObserver<EchoReply> observer) {
        if (request.getBehaviour().startsWith("sleep-")) {
            Deadline deadline = Context.current().getDeadline();
            lastDeadlineMillis = deadline == null ? -1 : deadline.timeRemaining(TimeUnit.MILLISECONDS);
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
                    Long.parseLong(request.getBehaviour().substring(6)));
            while (System.nanoTime() < until) {
                if (Context.current().isCancelled()) {
                    CANCELLED.countDown();
                    return;
                }
                LockSupport.parkNanos(5_000_000);
            }
        }
        switch (request.getBehaviour()) {
            case "problem-404" -> throw Problem.notFound("no echo for " + request.getText());
            case "problem-onerror-409" -> {
                observer.onError(Problem.conflict("already echoed"));
                return;
            }
            case "boom" -> throw new IllegalStateException("password=hunter2");
            case "status-text" -> { // ends the call with the request's text as the status message
                observer.onError(Status.ABORTED.withDescription(request.getText()).asRuntimeException());
                return;
            }
            default -> {
            }
        }
        observer.onNext(EchoReply.newBuilder().setText(request.getText()).build());
        observer.onCompleted();
    }

    @Override
    public void repeat(EchoRequest request, StreamObserver<EchoReply> observer) {
        for (int i = 0; i < request.getTimes(); i++) {
            observer.onNext(EchoReply.newBuilder().setText(request.getText()).setIndex(i).build());
        }
        observer.onCompleted();
    }

    @Override
    public StreamObserver<EchoRequest> collect(StreamObserver<EchoReply> observer) {
        StringBuilder all = new StringBuilder();
        return new StreamObserver<>() {
            private int count;

            @Override
            public void onNext(EchoRequest value) {
                all.append(value.getText());
                count++;
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
                observer.onNext(EchoReply.newBuilder().setText(all.toString()).setIndex(count).build());
                observer.onCompleted();
            }
        };
    }

    @Override
    public StreamObserver<EchoRequest> chat(StreamObserver<EchoReply> observer) {
        return new StreamObserver<>() {
            private int index;

            @Override
            public void onNext(EchoRequest value) {
                observer.onNext(EchoReply.newBuilder().setText(value.getText().toUpperCase()).setIndex(index++).build());
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
                observer.onCompleted();
            }
        };
    }
}
