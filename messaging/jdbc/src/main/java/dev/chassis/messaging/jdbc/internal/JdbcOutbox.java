package dev.chassis.messaging.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonProcessingException;

import dev.chassis.core.Json;
import dev.chassis.messaging.jdbc.Outbox;
import dev.chassis.messaging.spi.BrokerRecord;
import dev.chassis.messaging.spi.EventSender;

/** Writes outbox rows in the caller's transaction and wakes the relay. Not API. */
final class JdbcOutbox implements Outbox {
    static final String INSERT = "INSERT INTO chassis_outbox (topic, record_key, event_id, headers, payload, created_at)"
            + " VALUES (?, ?, ?, ?, ?, ?)";
    private final EventSender sender;
    private final Clock clock;
    private final Runnable wake;

    JdbcOutbox(EventSender sender, Clock clock, Runnable wake) {
        this.sender = sender;
        this.clock = clock;
        this.wake = wake;
    }

    @Override
    public String publish(Connection connection, String topic, String key, Object event) throws SQLException {
        Objects.requireNonNull(connection, "connection");
        if (connection.getAutoCommit()) {
            throw new IllegalStateException("outbox.publish needs the caller's transaction, but the connection is in"
                    + " auto-commit mode, so the event would stay even if the rest of the work failed. Fix:"
                    + " do the work and publish in transactions.run(connection -> ...) (service.component"
                    + "(Transactions.class)), or connection.setAutoCommit(false), ..., connection.commit()");
        }
        if (key != null && key.length() > 1024) {
            throw new IllegalArgumentException("the key is " + key.length() + " characters long; at most 1024");
        }
        BrokerRecord record = sender.record(topic, key, event);
        Map<String, List<String>> headers = new LinkedHashMap<>(record.headers());
        TraceHeaders.store(headers);
        String id = record.header("ce_id");
        try (PreparedStatement ps = connection.prepareStatement(INSERT)) {
            ps.setString(1, topic);
            ps.setString(2, key);
            ps.setString(3, id);
            ps.setString(4, Json.mapper().writeValueAsString(headers));
            ps.setBytes(5, record.value());
            ps.setObject(6, OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC));
            ps.executeUpdate();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the headers of an event cannot be written as JSON", e);
        }
        wake.run(); // the relay looks soon: most transactions commit right after publishing
        return id;
    }
}
