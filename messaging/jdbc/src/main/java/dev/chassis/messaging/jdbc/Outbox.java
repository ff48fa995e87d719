package dev.chassis.messaging.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The transactional outbox: publishing an event as part of the caller's database transaction. The event is written
 * to the {@code chassis_outbox} table with the caller's connection, so it exists exactly when the transaction
 * commits; the service's relay then publishes it to the broker, in order per key, and marks it sent.
 *
 * <pre>{@code
 * var service = Chassis.service("orders");
 * Transactions transactions = service.component(Transactions.class);
 * Outbox outbox = service.component(Outbox.class);
 * ...
 * transactions.run(c -> {              // the order and its event, or neither
 *     insertOrder(c, order);
 *     outbox.publish(c, "orders.placed", order.id(), new OrderPlaced(order.id(), order.total()));
 * });
 * }</pre>
 *
 * Delivery is at least once: a relay that dies after publishing and before marking the row sent publishes it again
 * (consumers deduplicate with {@link Inbox}). The trace context of the transaction is kept with the event and
 * continued when it is published.
 */
public interface Outbox {
    /**
     * Writes the event to the outbox in the connection's transaction, as a CloudEvent with a new {@code ce_id}.
     *
     * @param connection a connection in a transaction (auto-commit off; {@link Transactions} gives one) on the
     *                   service's data source
     * @param topic      the topic to publish to
     * @param key        the ordering key: events of one key are published in the order they were written; may be null
     * @param event      the event, written as JSON
     * @return the event's {@code ce_id}
     * @throws IllegalStateException    when the connection is in auto-commit mode
     * @throws IllegalArgumentException when the topic is not a topic name or the event cannot be written as JSON
     * @throws SQLException             when the database refused the insert
     */
    String publish(Connection connection, String topic, String key, Object event) throws SQLException;
}
