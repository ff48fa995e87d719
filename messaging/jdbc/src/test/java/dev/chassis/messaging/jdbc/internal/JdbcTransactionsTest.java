package dev.chassis.messaging.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * What a transaction does to its connection, seen through a recording proxy over a real (unpooled) H2 connection:
 * auto-commit off, commit or rollback, auto-commit restored, closed — on success and on every kind of failure.
 */
class JdbcTransactionsTest {
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private volatile boolean failRollback;

    private JdbcTransactions transactions() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:transactions-test");
        return new JdbcTransactions(new SupplyingDataSource(() -> {
            Connection real = h2.getConnection();
            return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, args) -> {
                        String name = method.getName();
                        if (name.equals("setAutoCommit") || name.equals("commit") || name.equals("rollback")
                                || name.equals("close")) {
                            calls.add(args == null ? name : name + "(" + args[0] + ")");
                        }
                        if (name.equals("rollback") && failRollback) {
                            throw new SQLException("the connection broke");
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }));
    }

    @Test
    void commitsReturnsTheValueRestoresAutoCommitAndCloses() throws Exception {
        String value = transactions().call(c -> {
            assertThat(c.getAutoCommit()).isFalse();
            return "done";
        });
        assertThat(value).isEqualTo("done");
        assertThat(calls).containsExactly("setAutoCommit(false)", "commit", "setAutoCommit(true)", "close");
    }

    @Test
    void rollsBackOnACheckedExceptionAndRethrowsTheSameOne() {
        Exception thrown = new Exception("the work failed");
        assertThatThrownBy(() -> transactions().run(c -> {
            throw thrown;
        })).isSameAs(thrown).hasNoSuppressedExceptions();
        assertThat(calls).containsExactly("setAutoCommit(false)", "rollback", "setAutoCommit(true)", "close");
    }

    @Test
    void rollsBackOnAnErrorToo() {
        AssertionError thrown = new AssertionError("a bug");
        assertThatThrownBy(() -> transactions().run(c -> {
            throw thrown;
        })).isSameAs(thrown);
        assertThat(calls).containsExactly("setAutoCommit(false)", "rollback", "setAutoCommit(true)", "close");
    }

    @Test
    void aFailedRollbackIsAddedToTheWorksException() {
        failRollback = true;
        IllegalStateException thrown = new IllegalStateException("the work failed");
        assertThatThrownBy(() -> transactions().run(c -> {
            throw thrown;
        })).isSameAs(thrown);
        assertThat(thrown.getSuppressed()).singleElement().satisfies(s -> assertThat(s)
                .hasMessage("the connection broke"));
        assertThat(calls).endsWith("close");
    }

    @Test
    void nullWorkIsRefused() {
        assertThatThrownBy(() -> transactions().call(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("work");
        assertThat(calls).isEmpty();
    }

    /** A data source handing out one connection per call from a supplier. */
    private record SupplyingDataSource(ConnectionSupplier supplier) implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            return supplier.get();
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return supplier.get();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    }

    @FunctionalInterface
    private interface ConnectionSupplier {
        Connection get() throws SQLException;
    }
}
