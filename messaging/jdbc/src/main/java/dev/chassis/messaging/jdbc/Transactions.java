package dev.chassis.messaging.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Database transactions on the service's data source, without hand-written {@code setAutoCommit(false)},
 * {@code commit()} and {@code rollback()}. Provided as {@code service.component(Transactions.class)}, beside the
 * {@link Outbox} and the {@link Inbox}:
 *
 * <pre>{@code
 * Transactions transactions = service.component(Transactions.class);
 * Outbox outbox = service.component(Outbox.class);
 * ...
 * Order order = transactions.call(c -> {
 *     insertOrder(c, order);
 *     outbox.publish(c, "orders.placed", order.id(), new OrderPlaced(order.id()));
 *     return order;                         // the order and its event, or neither
 * });
 * }</pre>
 *
 * <p>Each call takes a connection from the pool, turns auto-commit off, runs the work, and commits when the work
 * returns. When the work throws anything (checked exceptions, runtime exceptions and errors alike) the transaction is
 * rolled back and the very exception the work threw propagates, unchanged and unwrapped (a failed rollback is added
 * to it as suppressed). Either way auto-commit is restored and the connection goes back to the pool. The work must
 * not keep the connection.
 *
 * <p><b>Nesting is an error.</b> A transaction runs on one connection; a second one opened inside it (by
 * {@code run}, {@code call} or {@link Inbox#once}) would be a separate transaction that commits or rolls back on
 * its own, so the outer one would no longer be all-or-nothing. Inside a transaction, pass its connection on: to
 * {@link Outbox#publish}, to {@link Inbox#record}, to your own methods. A nested call throws
 * {@link IllegalStateException} before it takes a connection. The check is per thread: work handed to another thread
 * is not part of the transaction.
 *
 * <p>Thread-safe: any number of threads run transactions at once, each on its own connection.
 */
public interface Transactions {
    /**
     * Runs {@code work} in a new transaction and commits it.
     *
     * @throws E                     what {@code work} threw, after the rollback
     * @throws SQLException          when no connection could be had, or the commit failed (then it was rolled back)
     * @throws IllegalStateException when a transaction ({@code run}, {@code call}, {@code inbox.once}) is already open
     *                               on this thread
     */
    <E extends Exception> void run(Work<E> work) throws E, SQLException;

    /**
     * Runs {@code work} in a new transaction, commits it, and returns what the work returned.
     *
     * @throws E                     what {@code work} threw, after the rollback
     * @throws SQLException          when no connection could be had, or the commit failed (then it was rolled back)
     * @throws IllegalStateException when a transaction ({@code run}, {@code call}, {@code inbox.once}) is already open
     *                               on this thread
     */
    <T, E extends Exception> T call(ValueWork<T, E> work) throws E, SQLException;

    /** Work in a transaction, on its connection. */
    @FunctionalInterface
    interface Work<E extends Exception> {
        void run(Connection connection) throws E;
    }

    /** Work in a transaction, on its connection, with a result. */
    @FunctionalInterface
    interface ValueWork<T, E extends Exception> {
        T call(Connection connection) throws E;
    }
}
