package dev.chassis.samples.shop.inventory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.chassis.core.Caller;
import dev.chassis.core.Chassis;
import dev.chassis.core.Problem;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.http.Body;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.core.http.Put;
import dev.chassis.openapi.ApiOperation;
import dev.chassis.samples.shop.inventory.v1.InventoryGrpc;
import dev.chassis.samples.shop.inventory.v1.ReserveReply;
import dev.chassis.samples.shop.inventory.v1.ReserveRequest;
import dev.chassis.security.Scopes;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * The inventory service: {@code Inventory/Reserve} over gRPC (idempotent per order), and an HTTP admin API to see
 * and set stock. Stock lives in memory: this sample is about the calls, not about storing stock.
 *
 * <p>{@code Reserve} needs a token granting {@code inventory:reserve}: orders' own client-credentials token (with the
 * {@code mtls} profile, {@code security.rpc...workloads} in application-mtls.yaml names orders' certificate instead).
 * Each reservation records who made it, which {@code GET /stock/reservations/{orderId}} shows. The admin API is open
 * in this sample; a real one would take {@code @RolesAllowed("admin")} or move to the management port.
 */
public final class InventoryService {
    private InventoryService() {
    }

    /** What an order reserved, and who reserved it: the caller's client id, else its workload identity (mTLS). */
    public record Reservation(String orderId, String sku, int quantity, String reservedBy) {
    }

    /** Stock per sku, and what each order reserved (so that a retried Reserve reserves once). */
    static final class Stock {
        final Map<String, Integer> levels = new ConcurrentHashMap<>();
        final Map<String, Reservation> reservations = new ConcurrentHashMap<>();

        synchronized void set(String sku, int quantity) {
            levels.put(sku, quantity);
        }

        synchronized ReserveReply reserve(String orderId, String sku, int quantity, String reservedBy) {
            int level = levels.getOrDefault(sku, 0);
            if (reservations.containsKey(orderId)) {
                return ReserveReply.newBuilder().setReserved(true).setRemaining(level).build();
            }
            if (quantity > level) {
                return ReserveReply.newBuilder().setReserved(false).setRemaining(level).build();
            }
            levels.put(sku, level - quantity);
            reservations.put(orderId, new Reservation(orderId, sku, quantity, reservedBy));
            return ReserveReply.newBuilder().setReserved(true).setRemaining(level - quantity).build();
        }
    }

    /** The gRPC side. */
    static final class Reservations extends InventoryGrpc.InventoryImplBase {
        private final Stock stock;

        Reservations(Stock stock) {
            this.stock = stock;
        }

        @Override
        @Scopes("inventory:reserve")
        public void reserve(ReserveRequest request, StreamObserver<ReserveReply> response) {
            if (request.getOrderId().isBlank() || request.getSku().isBlank() || request.getQuantity() < 1) {
                response.onError(Status.INVALID_ARGUMENT.withDescription("order_id and sku are required and quantity"
                        + " must be at least 1").asRuntimeException());
                return;
            }
            Caller caller = Caller.current();
            String reservedBy = caller.clientId().or(() -> caller.peer().identity()).orElse("anonymous");
            response.onNext(stock.reserve(request.getOrderId(), request.getSku(), request.getQuantity(), reservedBy));
            response.onCompleted();
        }
    }

    public record Level(String sku, int quantity) {
    }

    public record SetLevel(int quantity) {
    }

    /** The HTTP admin API. */
    @Path("/stock")
    public static final class Admin {
        private final Stock stock;

        Admin(Stock stock) {
            this.stock = stock;
        }

        @Get
        public Map<String, Integer> all() {
            return Map.copyOf(stock.levels);
        }

        @Get("/{sku}")
        @ApiOperation(summary = "The stock of one sku", problems = 404)
        public Level one(@PathParam String sku) {
            Integer q = stock.levels.get(sku);
            if (q == null) {
                throw Problem.notFound("no stock is recorded for " + sku);
            }
            return new Level(sku, q);
        }

        @Get("/reservations/{orderId}")
        @ApiOperation(summary = "What an order reserved, and who reserved it", problems = 404)
        public Reservation reservation(@PathParam String orderId) {
            Reservation r = stock.reservations.get(orderId);
            if (r == null) {
                throw Problem.notFound("order " + orderId + " reserved nothing");
            }
            return r;
        }

        @Put("/{sku}")
        public Level set(@PathParam String sku, @Body SetLevel level) {
            if (level.quantity() < 0) {
                throw Problem.builder(400).detail("quantity must not be negative").error("quantity", "must be >= 0")
                        .build();
            }
            stock.set(sku, level.quantity());
            return new Level(sku, level.quantity());
        }
    }

    /** The service, as main and tests build it. */
    public static ServiceBuilder service() {
        Stock stock = new Stock();
        return Chassis.service("inventory").version("1.0.0").http(new Admin(stock)).grpc(new Reservations(stock));
    }

    public static void main(String[] args) {
        service().start();
    }
}
