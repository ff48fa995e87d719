package dev.chassis.messaging.jdbc.internal;

import java.sql.SQLException;

/** A database Chassis will not keep its tables in (not PostgreSQL or H2, or a newer schema): start-up fails. Not API. */
final class SchemaRefused extends SQLException {
    private static final long serialVersionUID = 1L;

    SchemaRefused(String message) {
        super(message);
    }
}
