package dev.chassis.samples.shop.notifications;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import dev.chassis.core.Chassis;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.messaging.Consume;
import dev.chassis.messaging.EventType;
import dev.chassis.messaging.Message;
import dev.chassis.messaging.jdbc.Inbox;

/**
 * The notifications service: tells customers about their orders, once per order however often the event arrives
 * (the inbox), and lists what it sent at {@code GET /notifications}. "Sending" is recording: this is a sample.
 */
public final class NotificationsService {
    private NotificationsService() {
    }

    /** The event as this service reads it: its own copy of the contract, as services deployed apart have. */
    @EventType("dev.chassis.shop.orders.placed.v1")
    public record OrderPlaced(String orderId, String customer, String sku, int quantity) {
    }

    public record Notification(String orderId, String customer, String text) {
    }

    public static final class OrderEvents {
        private final Inbox inbox;

        OrderEvents(Inbox inbox) {
            this.inbox = inbox;
        }

        @Consume(topic = "orders.placed", group = "notifications")
        public void placed(OrderPlaced event, Message<OrderPlaced> message) throws Exception {
            inbox.once(message, c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO notifications (order_id, customer, text)"
                        + " VALUES (?, ?, ?)")) {
                    ps.setString(1, event.orderId());
                    ps.setString(2, event.customer());
                    ps.setString(3, "Dear " + event.customer() + ", your order of " + event.quantity() + " x "
                            + event.sku() + " is placed.");
                    ps.executeUpdate();
                }
            });
        }
    }

    @Path("/notifications")
    public static final class Sent {
        private final DataSource db;

        Sent(DataSource db) {
            this.db = db;
        }

        @Get
        public List<Notification> all() throws SQLException {
            List<Notification> out = new ArrayList<>();
            try (Connection c = db.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT order_id, customer, text FROM notifications ORDER BY id")) {
                while (rs.next()) {
                    out.add(new Notification(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
            return out;
        }
    }

    public static ServiceBuilder service() {
        ServiceBuilder b = Chassis.service("notifications").version("1.0.0");
        DataSource db = b.component(DataSource.class);
        Inbox inbox = b.component(Inbox.class);
        return b.http(new Sent(db)).consume(new OrderEvents(inbox));
    }

    public static void main(String[] args) {
        service().start(); // its tables: src/main/resources/db/migration (run at start-up)
    }
}
