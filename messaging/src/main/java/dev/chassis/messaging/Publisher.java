package dev.chassis.messaging;

import java.util.concurrent.CompletableFuture;

/**
 * Publishes events as CloudEvents (STANDARD §4). Get one from the service builder and hand it to handlers:
 *
 * <pre>{@code
 * var service = Chassis.service("orders");
 * Publisher publisher = service.component(Publisher.class);
 * service.http(new OrderApi(publisher)).start();
 * ...
 * publisher.publish("orders.placed", order.id(), new OrderPlaced(order.id(), order.total()));
 * }</pre>
 *
 * The event is written as JSON with the service's Jackson mapper; its CloudEvents type is its class's
 * {@link EventType}, else its class name. The key orders the events: all events of one key are delivered
 * in the order they were published.
 */
public interface Publisher {
    /**
     * Publishes and waits for the broker's acknowledgement.
     *
     * @throws PublishException when the broker refused or did not acknowledge in time
     *                          ({@code messaging.publish-timeout})
     */
    Published publish(String topic, String key, Object event);

    /** Publishes; the future completes with the acknowledgement, or exceptionally with a {@link PublishException}. */
    CompletableFuture<Published> publishAsync(String topic, String key, Object event);
}
