package dev.chassis.tests.shutdown;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.Post;
import dev.chassis.core.http.QueryParam;
import dev.chassis.core.http.Status;
import dev.chassis.messaging.Consume;
import dev.chassis.messaging.Publisher;

/**
 * A service in its own process whose message handler calls a second service ({@link CatalogApi}, at the URL given as
 * the first argument) after waiting. {@code POST /requests?id=} publishes the event (in-memory broker); prints
 * {@code PORT <n>} when ready, {@code ENTERED <id>} when the handler starts waiting and {@code HANDLED <id>} when it
 * returns. Stops on SIGTERM through Chassis' shutdown hook, after a 5 s shutdown delay that leaves time to read its
 * metrics once the consumers have stopped.
 */
public final class ConsumingServiceMain {
    /** The topic. */
    static final String TOPIC = "items.requested";

    private ConsumingServiceMain() {
    }

    /** The event. */
    public record Requested(String id) {
    }

    /** Publishes a request. */
    @Path("/requests")
    public static final class RequestsApi {
        private final Publisher publisher;

        RequestsApi(Publisher publisher) {
            this.publisher = publisher;
        }

        @Post
        @Status(202)
        public void request(@QueryParam String id) {
            publisher.publish(TOPIC, id, new Requested(id));
        }
    }

    /** Handles a request slowly, then adds the item to the catalog. */
    public static final class Handler {
        private final CatalogApi catalog;

        Handler(CatalogApi catalog) {
            this.catalog = catalog;
        }

        @Consume(topic = TOPIC, group = "stocker", maxAttempts = 1)
        public void on(Requested event) throws InterruptedException {
            System.out.println("ENTERED " + event.id());
            System.out.flush();
            Thread.sleep(1500);
            catalog.add(new CatalogApi.Item(event.id()));
            System.out.println("HANDLED " + event.id());
            System.out.flush();
        }
    }

    public static void main(String[] args) {
        var builder = Chassis.service("stocker")
                .property("server.port", "0")
                .property("server.shutdown.delay", "5s")
                .property("clients.catalog.url", args[0]);
        RunningService s = builder.http(new RequestsApi(builder.component(Publisher.class)))
                .consume(new Handler(builder.client(CatalogApi.class)))
                .start();
        System.out.println("PORT " + s.port());
        System.out.flush();
    }
}
