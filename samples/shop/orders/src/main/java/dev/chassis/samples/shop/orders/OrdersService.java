package dev.chassis.samples.shop.orders;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import dev.chassis.core.Chassis;
import dev.chassis.core.Problem;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.http.Body;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.core.http.Post;
import dev.chassis.core.http.Status;
import dev.chassis.messaging.EventType;
import dev.chassis.messaging.jdbc.Outbox;
import dev.chassis.messaging.jdbc.Transactions;
import dev.chassis.samples.shop.inventory.v1.InventoryGrpc;
import dev.chassis.samples.shop.inventory.v1.ReserveReply;
import dev.chassis.samples.shop.inventory.v1.ReserveRequest;
import dev.chassis.security.Authenticated;
import dev.chassis.security.Scopes;

/**
 * The orders service: {@code POST /orders} reserves stock from inventory over gRPC, then writes the order and its
 * {@code orders.placed} event in one transaction (the outbox publishes it). Clients retry safely with an
 * {@code Idempotency-Key}.
 *
 * <p>Placing an order needs a user's bearer token granting {@code orders:write}; reading one needs any valid token of
 * the shop's issuer (application.yaml). Orders calls inventory with its own client-credentials token
 * ({@code clients.inventory.credentials}), never with the user's.
 */
public final class OrdersService {
    private OrdersService() {
    }

    public record PlaceOrder(String customer, String sku, int quantity) {
    }

    public record Order(String id, String customer, String sku, int quantity, String status) {
    }

    @EventType("dev.chassis.shop.orders.placed.v1")
    public record OrderPlaced(String orderId, String customer, String sku, int quantity) {
    }

    @Path("/orders")
    public static final class OrderApi {
        private final DataSource db;
        private final Transactions transactions;
        private final Outbox outbox;
        private final InventoryGrpc.InventoryBlockingStub inventory;

        OrderApi(DataSource db, Transactions transactions, Outbox outbox, InventoryGrpc.InventoryBlockingStub inventory) {
            this.db = db;
            this.transactions = transactions;
            this.outbox = outbox;
            this.inventory = inventory;
        }

        @Post
        @Status(201)
        @Scopes("orders:write")
        public Order place(@Body PlaceOrder request) throws SQLException {
            if (request.customer() == null || request.customer().isBlank() || request.sku() == null
                    || request.sku().isBlank() || request.quantity() < 1) {
                throw Problem.builder(400).detail("customer and sku are required; quantity must be at least 1")
                        .build();
            }
            // Reserve first, then commit the order with its event. A crash between the two leaves stock reserved for an
            // order that does not exist; a real service would release it (a saga, or an expiring reservation) —
            // kept out of this sample. A retry with the same Idempotency-Key gets the first answer and reserves nothing.
            String id = UUID.randomUUID().toString();
            ReserveReply reply = inventory.reserve(ReserveRequest.newBuilder().setOrderId(id).setSku(request.sku())
                    .setQuantity(request.quantity()).build());
            if (!reply.getReserved()) {
                throw Problem.conflict("not enough " + request.sku() + " in stock: " + reply.getRemaining() + " left");
            }
            Order order = new Order(id, request.customer(), request.sku(), request.quantity(), "PLACED");
            transactions.run(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders (id, customer, sku, quantity, status)"
                        + " VALUES (?, ?, ?, ?, ?)")) {
                    ps.setString(1, id);
                    ps.setString(2, order.customer());
                    ps.setString(3, order.sku());
                    ps.setInt(4, order.quantity());
                    ps.setString(5, order.status());
                    ps.executeUpdate();
                }
                outbox.publish(c, "orders.placed", id, new OrderPlaced(id, order.customer(), order.sku(),
                        order.quantity()));
            }); // committed: the order and its event, or (on any exception) neither
            return order;
        }

        @Get("/{id}")
        @Authenticated
        public Optional<Order> get(@PathParam String id) throws SQLException {
            try (Connection c = db.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT id, customer, sku, quantity, status FROM orders"
                         + " WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Order(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getInt(4), rs.getString(5))) : Optional.empty();
                }
            }
        }
    }

    /** The service, as main and tests build it. */
    public static ServiceBuilder service() {
        ServiceBuilder b = Chassis.service("orders").version("1.0.0");
        DataSource db = b.component(DataSource.class);
        Transactions transactions = b.component(Transactions.class);
        Outbox outbox = b.component(Outbox.class);
        InventoryGrpc.InventoryBlockingStub inventory = InventoryGrpc.newBlockingStub(b.grpcChannel("inventory"));
        return b.http(new OrderApi(db, transactions, outbox, inventory));
    }

    public static void main(String[] args) {
        service().start(); // its tables: src/main/resources/db/migration (run at start-up)
    }
}
