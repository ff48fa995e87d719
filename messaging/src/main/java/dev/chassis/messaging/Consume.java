package dev.chassis.messaging;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a message handler: a public method taking the event (any type Jackson can read from the event's JSON
 * data) and, optionally, the {@link Message} it came in. Register its object with
 * {@code Chassis.service(...).consume(handler)}.
 *
 * <pre>{@code
 * @Consume(topic = "payments.completed", group = "orders")
 * public void completed(PaymentCompleted event, Message<PaymentCompleted> message) { ... }
 * }</pre>
 *
 * Delivery is at-least-once and in order per key. A handler that throws is called again with back-off;
 * after the last attempt the message goes to {@code <topic>.dlq}. The attempts and back-off can also be set in
 * configuration, keyed by the handler's class and method in kebab case:
 * {@code consumers.payment-events.completed.max-attempts}, {@code ...backoff}, {@code ...max-backoff},
 * {@code ...concurrency}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Consume {
    /** The topic, such as {@code orders.placed}. */
    String topic();

    /** The consumer group: handlers of one group share the topic's messages; each group gets them all. */
    String group();

    /** Attempts before the message goes to the dead letters; 0 means the configured default (3). */
    int maxAttempts() default 0;

    /** The first back-off between attempts, doubled each time ({@code 200ms}, {@code 1s}); empty: configured default. */
    String backoff() default "";

    /** Partitions handled at once (each in order); 0 means the configured default (all the topic's partitions). */
    int concurrency() default 0;
}
