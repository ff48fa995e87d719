package dev.chassis.messaging.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;

import dev.chassis.messaging.Message;
import dev.chassis.messaging.jdbc.Inbox;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;

/** Records handled event ids per group in {@code chassis_inbox}. Not API. */
final class JdbcInbox implements Inbox {
    private final JdbcTransactions transactions;
    private final Schema schema;
    private final Clock clock;
    private final LongCounter duplicates;

    JdbcInbox(JdbcTransactions transactions, Schema schema, Clock clock, LongCounter duplicates) {
        this.transactions = transactions;
        this.schema = schema;
        this.clock = clock;
        this.duplicates = duplicates;
    }

    @Override
    public boolean once(Message<?> message, Work work) throws Exception {
        Objects.requireNonNull(work, "work");
        // a duplicate commits an empty transaction: nothing was inserted
        return transactions.call(c -> {
            if (!record(c, message)) {
                return false;
            }
            work.run(c);
            return true;
        });
    }

    @Override
    public boolean record(Connection connection, Message<?> message) throws SQLException {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(message, "message");
        if (connection.getAutoCommit()) {
            throw new IllegalStateException("inbox.record needs the caller's transaction, but the connection is in"
                    + " auto-commit mode, so the id would stay recorded even if the handler's work failed. Fix:"
                    + " use inbox.once(message, connection -> ...), or record and do the work in"
                    + " transactions.run(connection -> ...)");
        }
        if (message.group() == null || message.id() == null) {
            throw new IllegalArgumentException("the message has no consumer group or id: pass the Message<T> your"
                    + " @Consume handler was given");
        }
        // the connection's own dialect: no second connection while the caller holds this one
        Dialect dialect = schema.dialect() != null ? schema.dialect() : Dialect.of(connection);
        boolean fresh;
        try (PreparedStatement ps = connection.prepareStatement(dialect.insertIfAbsent("chassis_inbox",
                List.of("consumer_group", "event_id", "handled_at")))) {
            ps.setString(1, message.group());
            ps.setString(2, message.id());
            ps.setObject(3, OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC));
            fresh = ps.executeUpdate() == 1;
        } catch (SQLException e) {
            if (!Dialect.duplicate(e)) {
                throw e;
            }
            fresh = false; // H2: the id is there (a failed statement does not end an H2 transaction)
        }
        if (!fresh) {
            duplicates.add(1, Attributes.of(AttributeKey.stringKey("messaging.consumer.group.name"), message.group(),
                    AttributeKey.stringKey("messaging.destination.name"), message.topic()));
        }
        return fresh;
    }
}
