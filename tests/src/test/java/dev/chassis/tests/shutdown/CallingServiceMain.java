package dev.chassis.tests.shutdown;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.Post;
import dev.chassis.core.http.QueryParam;
import dev.chassis.core.http.Status;

/**
 * A service in its own process whose slow request calls a second service ({@link CatalogApi}, at the URL given as the
 * first argument) after waiting: prints {@code PORT <n>} when ready and {@code ENTERED <id>} when a request starts
 * waiting. Stops on SIGTERM through Chassis' shutdown hook.
 */
public final class CallingServiceMain {
    private CallingServiceMain() {
    }

    /** Slow orders that add their item to the catalog at the end. */
    @Path("/orders")
    public static final class OrdersApi {
        private final CatalogApi catalog;

        OrdersApi(CatalogApi catalog) {
            this.catalog = catalog;
        }

        @Post
        @Status(201)
        public CatalogApi.Item place(@QueryParam long ms, @QueryParam String id) throws InterruptedException {
            System.out.println("ENTERED " + id);
            System.out.flush();
            Thread.sleep(ms);
            return catalog.add(new CatalogApi.Item(id));
        }
    }

    public static void main(String[] args) {
        var builder = Chassis.service("orders")
                .property("server.port", "0")
                .property("server.shutdown.delay", "500ms")
                .property("clients.catalog.url", args[0]);
        RunningService s = builder.http(new OrdersApi(builder.client(CatalogApi.class))).start();
        System.out.println("PORT " + s.port());
        System.out.flush();
    }
}
