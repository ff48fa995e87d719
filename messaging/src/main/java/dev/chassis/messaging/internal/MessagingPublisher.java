package dev.chassis.messaging.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.chassis.core.Caller;
import dev.chassis.core.internal.shared.MessageTracing;
import dev.chassis.core.internal.shared.Texts;
import dev.chassis.messaging.PublishException;
import dev.chassis.messaging.Published;
import dev.chassis.messaging.Publisher;
import dev.chassis.messaging.spi.Broker;
import dev.chassis.messaging.spi.BrokerRecord;
import dev.chassis.messaging.spi.EventSender;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;

/** The service's {@link Publisher} and {@link EventSender}: envelope, producer span, broker, acknowledgement. Not API. */
final class MessagingPublisher implements Publisher, EventSender {
    private static final List<String> TRACE_HEADERS = List.of("traceparent", "tracestate", "baggage");
    private final Broker broker;
    private final Envelope envelope;
    private final MessageTracing tracing;
    private final DoubleHistogram duration;
    private final Duration timeout;
    private final boolean recordSubject;
    /** Per topic, checked once: its metric attributes (the topic name is valid when it is here). */
    private final Map<String, Attributes> topics = new ConcurrentHashMap<>();

    MessagingPublisher(Broker broker, Envelope envelope, MessageTracing tracing, DoubleHistogram duration,
                       Duration timeout, boolean recordSubject) {
        this.recordSubject = recordSubject;
        this.broker = broker;
        this.envelope = envelope;
        this.tracing = tracing;
        this.duration = duration;
        this.timeout = timeout;
    }

    @Override
    public Published publish(String topic, String key, Object event) {
        long deadline = System.nanoTime() + timeout.toNanos(); // one deadline for handing over and for the ack
        CompletableFuture<Published> f = publishAsync(topic, key, event);
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while waiting for the broker to acknowledge an event to " + topic, e);
        } catch (TimeoutException e) {
            throw new PublishException("the broker did not acknowledge an event to " + topic + " within " + timeout
                    + " (messaging.publish-timeout)", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof PublishException p ? p
                    : new PublishException("the broker refused an event to " + topic + ": " + e.getCause(), e.getCause());
        }
    }

    @Override
    public CompletableFuture<Published> publishAsync(String topic, String key, Object event) {
        return send(record(topic, key, event));
    }

    @Override
    public BrokerRecord record(String topic, String key, Object event) {
        Objects.requireNonNull(event, "event");
        attributes(topic);
        try {
            return envelope.write(topic, key, event, UUID.randomUUID().toString(), actor());
        } catch (IOException e) {
            throw new IllegalArgumentException("the event " + event.getClass().getName() + " cannot be written as JSON: "
                    + Texts.firstLine(e.getMessage(), ""), e);
        }
    }

    /**
     * With {@code messaging.publish.record-subject}, the subject and issuer of the authenticated caller the event is
     * published for, as CloudEvents extensions; else none.
     */
    private Map<String, List<String>> actor() {
        if (!recordSubject) {
            return Map.of();
        }
        Caller caller = Caller.current();
        if (!caller.authenticated()) {
            return Map.of();
        }
        return Map.of("ce_" + Envelope.ACTOR, List.of(caller.subject().orElseThrow()),
                "ce_" + Envelope.ACTOR_ISSUER, List.of(caller.issuer().orElseThrow()));
    }

    /** The metric attributes of a topic, checked once: the topic name is valid when it is here. */
    private Attributes attributes(String topic) {
        Attributes attributes = topic == null ? null : topics.get(topic);
        if (attributes == null) {
            if (topic == null || !ConsumerBinding.NAME.matcher(topic).matches()) {
                throw new IllegalArgumentException("'" + topic + "' is not a topic name (letters, digits, '.', '_', '-';"
                        + " at most 249)");
            }
            attributes = topics.computeIfAbsent(topic, t -> Attributes.of(AttributeKey.stringKey("messaging.system"),
                    broker.system(), AttributeKey.stringKey("messaging.destination.name"), t,
                    AttributeKey.stringKey("messaging.operation.name"), "send"));
        }
        return attributes;
    }

    @Override
    public boolean retriable(Throwable failure) {
        return broker.retriable(failure);
    }

    @Override
    public CompletableFuture<Published> send(BrokerRecord record) {
        String topic = record.topic();
        Attributes sent = attributes(topic);
        String id = record.header("ce_id");
        Map<String, List<String>> headers = new LinkedHashMap<>(record.headers());
        for (String name : TRACE_HEADERS) {
            headers.remove(name); // the producer span's context replaces any the record had
        }
        Span span = tracing.startPublish(topic, id, (name, value) -> headers.put(name, List.of(value)));
        BrokerRecord traced = new BrokerRecord(topic, record.key(), headers, record.value());
        long start = System.nanoTime();
        // brokers fail an acknowledgement that does not come within the publish timeout (Kafka: delivery.timeout.ms)
        return broker.send(traced).handle((ack, failure) -> {
            duration.record((System.nanoTime() - start) / 1e9, failure == null ? sent
                    : sent.toBuilder().put(AttributeKey.stringKey("error.type"), failure.getClass().getName()).build());
            if (failure != null) {
                span.recordException(failure);
                span.setStatus(StatusCode.ERROR);
                span.end();
                throw new PublishException("the broker refused an event to " + topic + ": " + failure, failure);
            }
            span.setAttribute(AttributeKey.longKey("messaging.destination.partition.id"), (long) ack.partition());
            span.end();
            return new Published(topic, ack.partition(), ack.offset(), id);
        });
    }
}
