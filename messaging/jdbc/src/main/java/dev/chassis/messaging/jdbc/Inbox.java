package dev.chassis.messaging.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

import dev.chassis.messaging.Message;

/**
 * The idempotent inbox: a message handler's effects, once per event and consumer group. Delivery is at least once,
 * so a handler can see an event again (a redelivery after a crash, a relay that published twice); the inbox records
 * each handled {@code ce_id} per group in {@code chassis_inbox}, in the same transaction as the handler's effects.
 *
 * <pre>{@code
 * @Consume(topic = "orders.placed", group = "notifications")
 * public void on(OrderPlaced event, Message<OrderPlaced> message) throws SQLException {
 *     inbox.once(message, c -> insertNotification(c, event)); // a duplicate runs nothing
 * }
 * }</pre>
 */
public interface Inbox {
    /**
     * Runs {@code work} in a new transaction that also records the message's id for its group, and commits both —
     * unless the group has handled the id already: then nothing runs, the duplicate is counted
     * ({@code chassis_inbox_duplicates_total}), and this returns false. When {@code work} throws, nothing is
     * recorded and the exception propagates (the message is retried). The transaction is one of
     * {@link Transactions}: calling {@code once} inside another transaction (or {@code Transactions} inside
     * {@code work}) throws {@link IllegalStateException}; inside a transaction of your own, use
     * {@link #record(Connection, Message)}.
     *
     * @return true when {@code work} ran and committed, false for a duplicate
     */
    boolean once(Message<?> message, Work work) throws Exception;

    /**
     * Records the message's id for its group in the caller's transaction; false (and counted) when it is recorded
     * already, and then the caller should do nothing. For handlers that run their own transaction.
     */
    boolean record(Connection connection, Message<?> message) throws SQLException;

    /** Work done in a transaction, on its connection. */
    @FunctionalInterface
    interface Work {
        void run(Connection connection) throws Exception;
    }
}
