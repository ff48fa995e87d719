package dev.chassis.samples.shop.demo;

import java.util.Locale;

/**
 * The demo: starts an OpenID Connect provider (in this JVM), Kafka and the three services as processes on this
 * machine (nothing to install), runs the scenario, prints each step and the trace, then stops everything.
 * {@code SHOP_DATABASE=postgresql} runs orders and notifications on a real PostgreSQL (embedded binaries) instead of
 * H2. {@code CHASSIS_PROFILE=mtls} runs the services with their {@code mtls} profile: mutual TLS between them, with
 * certificates from a throw-away CA written at start. It prints each service's console URL and the order's trace
 * there; {@code -Dshop.keep-running=true} keeps the shop running until Ctrl-C, to click through them.
 *
 * <pre>./mvnw -q -pl samples/shop/demo -am -DskipTests install exec:java</pre>
 */
public final class ShopDemo {
    private ShopDemo() {
    }

    public static void main(String[] args) throws Exception {
        String db = System.getenv().getOrDefault("SHOP_DATABASE", "h2").toLowerCase(Locale.ROOT);
        if (!db.equals("h2") && !db.equals("postgresql")) {
            System.err.println("SHOP_DATABASE is h2 (the default) or postgresql, not '" + db + "'");
            System.exit(2);
        }
        ShopSystem.Database database = db.equals("h2") ? ShopSystem.Database.H2 : ShopSystem.Database.POSTGRESQL;
        boolean mtls = "mtls".equals(System.getenv("CHASSIS_PROFILE"));
        System.out.println("Starting the shop: an OpenID Connect provider, Kafka, "
                + (database == ShopSystem.Database.H2 ? "H2 in each service" : "PostgreSQL")
                + ", and three services, each in its own JVM" + (mtls
                ? ", over mutual TLS (CHASSIS_PROFILE=mtls)" : "") + " ...");
        long start = System.nanoTime();
        try (ShopSystem shop = ShopSystem.start(database, mtls, System.out)) {
            System.out.printf("ready in %.1f s; logs in %s (deleted at the end unless -Dshop.keep-logs=true)%n",
                    (System.nanoTime() - start) / 1e9, shop.logs());
            Scenario.Result result = new Scenario(shop, System.out).run();
            System.out.println("\nDone: one order, placed once with ada's token, reserved once with orders' own,"
                    + " notified once, in one trace; two calls refused.");
            System.out.println("\nThe consoles (docs/console.md):");
            for (String service : ShopSystem.SERVICES) {
                System.out.printf("  %-14s%s/console%n", service, shop.uri(service));
            }
            System.out.println("  the order's trace, across the three services: " + shop.uri("orders") + "/console#trace="
                    + result.traceId());
            if (Boolean.getBoolean("shop.keep-running")) {
                System.out.println("\nRunning until Ctrl-C (-Dshop.keep-running=true).");
                Thread.currentThread().join(); // Ctrl-C: the shop's shutdown hook stops the services, Kafka and the rest
            }
            System.out.println("Stopping (-Dshop.keep-running=true keeps the shop running, to click through the consoles).");
        }
        System.exit(0);
    }
}
