package dev.chassis.messaging.jdbc;

/** The outbox, the inbox and Idempotency-Key on the embedded H2 database (the default). */
class H2StoreTest extends StoreContract {
    @Override
    String newDatabase(String name) {
        return Databases.newH2(name);
    }
}
