package dev.chassis.messaging.jdbc;

/** Migrations and transactions on the embedded H2 database (the default). */
class H2OwnTablesTest extends OwnTablesContract {
    @Override
    String newDatabase(String name) {
        return Databases.newH2(name);
    }
}
