package dev.chassis.samples.benchmarks;

import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.google.protobuf.ByteString;

import dev.chassis.samples.benchmarks.grpc.BenchGrpc;
import dev.chassis.samples.benchmarks.grpc.Payload;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;

/**
 * The gRPC load generator of {@code bench-grpc.sh}: for {@code SECONDS} it keeps {@code CONCURRENCY} unary
 * {@code Bench/Unary} calls in flight on one plaintext grpc-java (Netty) channel, each carrying the same
 * 1024 random bytes, and prints {@code CALLS_PER_SEC <value>}: the calls completed in that window, per second.
 * An answer of the wrong size ends it with exit status 1. Failed calls are counted and reported
 * ({@code ERRORS <n>} and the first failure): under load Helidon 4.5.0's HTTP/2 layer can send a zero
 * WINDOW_UPDATE, which grpc-java treats as a connection error; the run goes on on a new connection.
 *
 * <p>Usage: {@code java -cp ... dev.chassis.samples.benchmarks.GrpcLoad HOST PORT SECONDS CONCURRENCY}.
 */
public final class GrpcLoad {
    private static final int PAYLOAD_BYTES = 1024;
    /** Per-call deadline, and how long the calls still in flight at the end may take to finish. */
    private static final long CALL_TIMEOUT_S = 10;

    private GrpcLoad() {
    }

    /**
     * Runs the load and prints the rate.
     *
     * @param args host, port, seconds, concurrency
     * @throws InterruptedException when interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 4) {
            System.err.println("usage: GrpcLoad HOST PORT SECONDS CONCURRENCY");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int concurrency = Integer.parseInt(args[3]);
        if (seconds < 1 || concurrency < 1) {
            System.err.println("GrpcLoad: SECONDS and CONCURRENCY must be positive");
            System.exit(2);
        }

        byte[] bytes = new byte[PAYLOAD_BYTES];
        new Random(42).nextBytes(bytes);
        Payload payload = Payload.newBuilder().setData(ByteString.copyFrom(bytes)).build();

        // callbacks run on the channel's event loop: they only count and release a permit
        ManagedChannel channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().directExecutor().build();
        int status = 1;
        try {
            status = run(channel, payload, seconds, concurrency);
        } finally {
            channel.shutdownNow();
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                System.err.println("GrpcLoad: the channel did not terminate within 5 s");
            }
        }
        System.exit(status);
    }

    private static int run(ManagedChannel channel, Payload payload, int seconds, int concurrency)
            throws InterruptedException {
        // one blocking call first: connects, and checks the echo, outside the measured window
        Payload first = BenchGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_TIMEOUT_S, TimeUnit.SECONDS)
                .unary(payload);
        if (!first.equals(payload)) {
            System.err.println("GrpcLoad: the answer is not the payload sent (" + first.getData().size() + " bytes)");
            return 1;
        }

        BenchGrpc.BenchStub stub = BenchGrpc.newStub(channel);
        Semaphore inFlight = new Semaphore(concurrency);
        AtomicLong completed = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        AtomicLong errors = new AtomicLong();

        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long now;
        while ((now = System.nanoTime()) < end && failure.get() == null) {
            if (!inFlight.tryAcquire(end - now, TimeUnit.NANOSECONDS)) {
                break; // the window closed while all calls were in flight
            }
            stub.withDeadlineAfter(CALL_TIMEOUT_S, TimeUnit.SECONDS).unary(payload, new StreamObserver<>() {
                @Override
                public void onNext(Payload answer) {
                    if (answer.getData().size() != PAYLOAD_BYTES) {
                        failure.compareAndSet(null, new IllegalStateException(
                                "an answer of " + answer.getData().size() + " bytes, not " + PAYLOAD_BYTES));
                    }
                }

                @Override
                public void onError(Throwable t) {
                    firstError.compareAndSet(null, t);
                    errors.incrementAndGet();
                    inFlight.release();
                }

                @Override
                public void onCompleted() {
                    completed.incrementAndGet();
                    inFlight.release();
                }
            });
        }
        long calls = completed.get();
        double elapsedS = (System.nanoTime() - start) / 1e9;

        // let the calls still in flight finish (each has its deadline), so that none fails unseen
        if (!inFlight.tryAcquire(concurrency, CALL_TIMEOUT_S + 5, TimeUnit.SECONDS)) {
            System.err.println("GrpcLoad: calls still in flight " + (CALL_TIMEOUT_S + 5) + " s after the end");
            return 1;
        }
        Throwable t = failure.get();
        if (t != null) {
            System.err.println("GrpcLoad: a wrong answer: " + t.getMessage());
            return 1;
        }
        if (errors.get() > 0) {
            System.err.println("GrpcLoad: " + errors.get() + " calls failed; the first: " + firstError.get());
        }
        System.out.printf("CALLS_PER_SEC %.1f%n", calls / elapsedS);
        System.out.printf("ERRORS %d%n", errors.get());
        System.out.printf("CALLS %d in %.3f s, concurrency %d, payload %d bytes%n", calls, elapsedS, concurrency,
                PAYLOAD_BYTES);
        System.out.flush();
        return 0;
    }
}
