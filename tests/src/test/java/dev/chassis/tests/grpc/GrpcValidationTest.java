package dev.chassis.tests.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.google.rpc.BadRequest;
import dev.chassis.core.Chassis;
import dev.chassis.testing.TestService;
import dev.chassis.tests.grpc.proto.Address;
import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoRequest;
import dev.chassis.tests.grpc.proto.OrderLine;
import dev.chassis.tests.grpc.proto.OrderPlaced;
import dev.chassis.tests.grpc.proto.OrdersGrpc;
import dev.chassis.tests.grpc.proto.PlaceOrder;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;

/**
 * Bean Validation of gRPC request messages, declared for the protobuf classes in a constraint mapping
 * ({@code META-INF/validation.xml} → {@code META-INF/validation/orders.xml}, which constrains only the messages of
 * {@code orders.proto}), called by a plain grpc-java client.
 */
class GrpcValidationTest {
    private static final AtomicInteger PLACED = new AtomicInteger();

    @RegisterExtension
    static final TestService service = TestService.of(() -> Chassis.service("orders")
            .grpc(new OrdersService())
            .grpc(new EchoService()));

    private static ManagedChannel channel;

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", service.port()).usePlaintext().build();
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @BeforeEach
    void reset() {
        PLACED.set(0);
    }

    private static OrdersGrpc.OrdersBlockingStub orders() {
        return OrdersGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static PlaceOrder.Builder valid() {
        return PlaceOrder.newBuilder().setCustomerId("c-1")
                .addOrderLines(OrderLine.newBuilder().setSku("book").setQuantity(2))
                .setShipping(Address.newBuilder().setCity("Lyon"));
    }

    @Test
    void aValidRequestReachesTheService() {
        assertThat(orders().place(valid().build()).getLines()).isEqualTo(1);
        assertThat(PLACED).hasValue(1);
    }

    @Test
    void anInvalidRequestGetsInvalidArgumentNamingEachProtobufFieldAndNeverReachesTheService() {
        PlaceOrder invalid = valid().setCustomerId(" ")
                .addOrderLines(OrderLine.newBuilder().setSku("pen").setQuantity(0))
                .setShipping(Address.newBuilder().setCity("Llanfairpwllgwyngyll-on-sea"))
                .build();

        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> orders().place(invalid));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).isEqualTo("invalid request: customer_id: must not be blank,"
                + " order_lines[1].quantity: must be greater than 0, shipping.city: size must be between 0 and 20");
        assertThat(PLACED).hasValue(0);
    }

    @Test
    void theViolationsComeAsAGoogleRpcBadRequestDetail() throws Exception {
        PlaceOrder invalid = valid().clearOrderLines().build();

        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> orders().place(invalid));

        com.google.rpc.Status status = StatusProto.fromThrowable(e); // CHECKSTYLE:FQN-OK
        assertThat(status).isNotNull();
        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
        assertThat(status.getDetailsList()).hasSize(1);
        BadRequest badRequest = status.getDetails(0).unpack(BadRequest.class);
        assertThat(badRequest.getFieldViolationsList()).singleElement().satisfies(v -> {
            assertThat(v.getField()).isEqualTo("order_lines");
            assertThat(v.getDescription()).isEqualTo("must not be empty");
        });
    }

    @Test
    void eachMessageOfAClientStreamIsChecked() throws Exception {
        CompletableFuture<OrderPlaced> result = new CompletableFuture<>();
        StreamObserver<PlaceOrder> requests = OrdersGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .placeAll(new StreamObserver<>() {
                    @Override
                    public void onNext(OrderPlaced value) {
                        result.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        result.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(valid().build());
        requests.onNext(valid().setCustomerId("").build());
        requests.onCompleted();

        Throwable failure = result.handle((ok, t) -> t).get(10, TimeUnit.SECONDS);
        assertThat(failure).isInstanceOf(StatusRuntimeException.class);
        Status status = ((StatusRuntimeException) failure).getStatus();
        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).isEqualTo("invalid request: customer_id: must not be blank");
    }

    @Test
    void messagesWithoutConstraintsAreNotChecked() {
        assertThat(EchoGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .say(EchoRequest.getDefaultInstance()).getText()).isEmpty();
    }

    /** Counts what reaches it; answers the number of order lines. */
    static final class OrdersService extends OrdersGrpc.OrdersImplBase {
        @Override
        public void place(PlaceOrder request, StreamObserver<OrderPlaced> observer) {
            PLACED.incrementAndGet();
            observer.onNext(OrderPlaced.newBuilder().setLines(request.getOrderLinesCount()).build());
            observer.onCompleted();
        }

        @Override
        public StreamObserver<PlaceOrder> placeAll(StreamObserver<OrderPlaced> observer) {
            List<PlaceOrder> received = new ArrayList<>();
            return new StreamObserver<>() {
                @Override
                public void onNext(PlaceOrder value) {
                    received.add(value);
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    observer.onNext(OrderPlaced.newBuilder().setLines(received.size()).build());
                    observer.onCompleted();
                }
            };
        }
    }
}
