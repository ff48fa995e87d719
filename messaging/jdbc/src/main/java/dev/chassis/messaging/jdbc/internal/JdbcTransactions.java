package dev.chassis.messaging.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;

import javax.sql.DataSource;

import dev.chassis.messaging.jdbc.Transactions;

/** Transactions on the service's pool; also what {@code inbox.once} runs in, so nesting is caught for both. Not API. */
final class JdbcTransactions implements Transactions {
    /** Whether this thread is inside a transaction of any service in this JVM (see Transactions: nesting). */
    private static final ThreadLocal<Boolean> OPEN = new ThreadLocal<>();

    private final DataSource dataSource;

    JdbcTransactions(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    @Override
    public <E extends Exception> void run(Work<E> work) throws E, SQLException {
        Objects.requireNonNull(work, "work");
        call(c -> {
            work.run(c);
            return null;
        });
    }

    @Override
    public <T, E extends Exception> T call(ValueWork<T, E> work) throws E, SQLException {
        Objects.requireNonNull(work, "work");
        if (OPEN.get() != null) {
            throw new IllegalStateException("a transaction is already open on this thread: a second one inside it"
                    + " would commit or roll back on its own. Fix: pass the open transaction's connection on"
                    + " (outbox.publish(connection, ...), inbox.record(connection, message), your own methods)"
                    + " instead of starting another with transactions.run/call or inbox.once");
        }
        OPEN.set(Boolean.TRUE);
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.call(c);
                c.commit();
                return result;
            } catch (Throwable t) {
                try {
                    c.rollback();
                } catch (SQLException | RuntimeException rollback) {
                    t.addSuppressed(rollback);
                }
                throw t;
            } finally {
                try {
                    c.setAutoCommit(autoCommit);
                } catch (SQLException ignored) {
                    // a broken connection: the pool discards it when it is closed
                }
            }
        } finally {
            OPEN.remove();
        }
    }
}
