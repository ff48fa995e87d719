package dev.chassis.messaging.internal;

import java.io.IOException;
import java.lang.reflect.UndeclaredThrowableException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import dev.chassis.core.Caller;
import dev.chassis.core.Problem;
import dev.chassis.core.internal.shared.CurrentCaller;
import dev.chassis.core.internal.shared.Backoff;
import dev.chassis.core.internal.shared.Texts;
import dev.chassis.core.spi.Constraints;
import dev.chassis.messaging.EventType;
import dev.chassis.messaging.Message;
import dev.chassis.messaging.spi.Broker;
import dev.chassis.messaging.spi.BrokerRecord;
import dev.chassis.messaging.spi.Delivered;
import dev.chassis.messaging.spi.PartitionHandler;
import dev.chassis.core.internal.shared.MessageTracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;

/**
 * Delivers one subscription's records to its handler: reads the CloudEvent and the event, calls the handler
 * in the message's trace (a consumer span), again with back-off when it throws, and after the last attempt
 * publishes the message to {@code <topic>.dlq} with headers naming the error, the attempts and where it came
 * from. A record that is not a readable CloudEvent, whose data is not the handler's event type, or whose event
 * violates its type's Bean Validation constraints, goes to the dead letters at once. With a per-message timeout, a
 * handler still running when it is up is interrupted and the attempt counts as failed. Returning lets the broker commit;
 * being interrupted (shutdown) does not. Not API.
 */
final class Dispatcher implements PartitionHandler {
    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());
    static final String DLQ_ERROR = "chassis-dlq-error";
    static final String DLQ_ATTEMPTS = "chassis-dlq-attempts";
    static final String DLQ_TOPIC = "chassis-dlq-topic";
    static final String DLQ_PARTITION = "chassis-dlq-partition";
    static final String DLQ_OFFSET = "chassis-dlq-offset";
    static final String DLQ_GROUP = "chassis-dlq-group";
    /**
     * On a dead letter the broker refused with its value and headers (too large, say): why they were left out. The
     * record itself stays at {@code chassis-dlq-topic}/{@code -partition}@{@code -offset} while the topic keeps it.
     */
    static final String DLQ_VALUE_DROPPED = "chassis-dlq-value-dropped";
    /** On a replayed dead letter: the one group that handles it again (signed: see {@link ReplayMarker}). */
    static final String REPLAY_GROUP = ReplayMarker.GROUP;

    private final ConsumerBinding binding;
    private final Broker broker;
    private final Envelope envelope;
    private final ObjectReader reader;
    private final MessageTracing tracing;
    private final DoubleHistogram duration;
    private final LongCounter deadLetters;
    private final Duration publishTimeout;
    /** Exponential: backoff, 2 × backoff, ... up to max-backoff. */
    private final Backoff backoff;
    /** Between attempts to publish a dead letter: the same, with jitter (many partitions may be waiting together). */
    private final Backoff dlqBackoff;
    private final LongCounter dlqFailures;
    private final Attributes handled;
    private final Attributes failed;
    /** The handler's {@code @EventType}, when its event class declares one: other types are not its events. */
    private final String expectedType;
    /** The event type's Bean Validation constraints; null when it declares none. */
    private final Constraints.Check constraints;
    private final ReplayMarker replays;

    Dispatcher(ConsumerBinding binding, Broker broker, Envelope envelope, ObjectMapper mapper, MessageTracing tracing,
               DoubleHistogram duration, LongCounter deadLetters, LongCounter dlqFailures, Duration publishTimeout,
               Constraints constraints, ReplayMarker replays) {
        this.replays = replays;
        this.binding = binding;
        this.broker = broker;
        this.envelope = envelope;
        this.reader = mapper.readerFor(binding.eventType());
        EventType declared = binding.eventType().getRawClass()
                .getAnnotation(EventType.class);
        this.expectedType = declared == null ? null : declared.value();
        this.constraints = constraints.of(binding.eventType().getRawClass()).orElse(null);
        this.tracing = tracing;
        this.duration = duration;
        this.deadLetters = deadLetters;
        this.publishTimeout = publishTimeout;
        this.backoff = Backoff.exponential(binding.backoff(), binding.maxBackoff());
        this.dlqBackoff = backoff.withJitter(0.2);
        this.dlqFailures = dlqFailures;
        Attributes base = Attributes.of(AttributeKey.stringKey("messaging.system"), broker.system(),
                AttributeKey.stringKey("messaging.destination.name"), binding.topic(),
                AttributeKey.stringKey("messaging.consumer.group.name"), binding.group());
        this.handled = base;
        this.failed = base.toBuilder().put(AttributeKey.stringKey("error.type"), "handler_failed").build();
    }

    @Override
    public void handle(Delivered d) throws InterruptedException {
        BrokerRecord record = d.record();
        if (record.header(REPLAY_GROUP) != null) {
            String replayFor = replays.verifiedGroup(record);
            if (replayFor != null && !replayFor.equals(binding.group())) {
                return; // a dead letter replayed for another group: this group handled (or dead-lettered) it already
            }
            if (replayFor == null) {
                LOG.log(Level.WARNING, "{0}: {1} carries a replay marker that does not verify (forged, or signed with"
                        + " another messaging.replay.key): handled as an ordinary event", binding.describe(), where(d));
            }
        }
        Envelope.Event event;
        Object data;
        try {
            event = envelope.read(record);
            if (expectedType != null && !expectedType.equals(event.type())) {
                deadLetter(d, "unreadable: the event's type " + event.type() + " is not the handler's " + expectedType, 0);
                return;
            }
            data = event.empty() ? null : event.raw() != null ? reader.readValue(event.raw()) : reader.readValue(event.data());
        } catch (Envelope.Unreadable e) {
            deadLetter(d, "unreadable: " + e.getMessage(), 0);
            return;
        } catch (IOException | IllegalArgumentException e) {
            deadLetter(d, "unreadable: the data is not JSON of a " + binding.eventType().getRawClass().getSimpleName()
                    + ": " + Texts.firstLine(e.getMessage(), ""), 0);
            return;
        }
        if (!binding.allowedSources().isEmpty() && !binding.allowedSources().contains(event.source().toString())) {
            deadLetter(d, "refused: the source " + Texts.firstLine(event.source().toString(), "") + " is not one of consumers."
                    + binding.key() + ".allowed-sources", 0);
            return;
        }
        if (constraints != null && data != null) {
            List<Problem.FieldError> violations;
            try {
                violations = constraints.violations(data);
            } catch (RuntimeException e) { // a custom constraint validator that throws: retrying cannot help
                deadLetter(d, "invalid: the validator failed: " + Texts.firstLine(e.toString(), ""), 0);
                return;
            }
            if (!violations.isEmpty()) {
                StringBuilder error = new StringBuilder("invalid: ");
                for (Problem.FieldError v : violations) {
                    error.append(error.length() > 9 ? "; " : "").append(v.field()).append(' ').append(v.message());
                }
                deadLetter(d, error.toString(), 0);
                return;
            }
        }
        Span span = tracing.startConsume(binding.topic(), binding.group(), event.id(), name -> values(record, name));
        Throwable last = null;
        int attempt = 0;
        try {
            while (attempt < binding.maxAttempts()) {
                attempt++;
                long start = System.nanoTime();
                try {
                    call(span, arguments(d, event, data, attempt), event);
                    duration.record((System.nanoTime() - start) / 1e9, handled);
                    return;
                } catch (InterruptedException e) {
                    throw e;
                } catch (Throwable t) {
                    duration.record((System.nanoTime() - start) / 1e9, failed);
                    last = t;
                    int failedAttempt = attempt;
                    LOG.log(Level.DEBUG, () -> binding.describe() + " failed attempt " + failedAttempt + "/"
                            + binding.maxAttempts() + " for " + where(d), t);
                }
                if (attempt < binding.maxAttempts()) {
                    TimeUnit.NANOSECONDS.sleep(backoff.delayNanos(attempt)); // interrupted at shutdown: not committed
                }
            }
            span.recordException(last);
            span.setStatus(StatusCode.ERROR, "dead-lettered");
            deadLetter(d, last.getClass().getName() + ": " + Texts.firstLine(last.getMessage(), ""), attempt);
        } finally {
            span.end();
        }
    }

    /**
     * Calls the handler in the message's span; with {@code consumers.<key>.timeout}, on a virtual thread of its own that
     * is interrupted when the time is up (a {@link HandlerTimeout}, handled as any failure). Being interrupted here
     * (shutdown) interrupts the handler too.
     */
    private void call(Span span, Object[] args, Envelope.Event event) throws Throwable {
        Duration timeout = binding.timeout();
        if (timeout == null) {
            Scope scope = span.makeCurrent();
            try {
                invoke(args, event);
            } finally {
                scope.close();
            }
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread handler = Thread.ofVirtual().name("chassis-consume-" + binding.key()).start(() -> {
            Scope scope = span.makeCurrent();
            try {
                invoke(args, event);
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            } finally {
                scope.close();
            }
        });
        try {
            done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            handler.interrupt();
            throw new HandlerTimeout(binding.describe() + " did not finish within " + timeout + " (consumers."
                    + binding.key() + ".timeout); it was interrupted");
        } catch (InterruptedException e) {
            handler.interrupt();
            throw e;
        } catch (ExecutionException e) {
            throw e.getCause();
        }
    }

    /** A handler ran past {@code consumers.<key>.timeout}. */
    static final class HandlerTimeout extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HandlerTimeout(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Calls the handler; when the event names the subject it was published for, with that subject as
     * {@code Caller.current()} — the publisher's claim, trusted as far as the broker is.
     */
    private void invoke(Object[] args, Envelope.Event event) throws Throwable {
        if (event.actor() == null) {
            binding.invoker().invoke(args);
            return;
        }
        Caller actor = Caller.authenticated(event.actor(), event.actorIssuer()).build();
        try {
            CurrentCaller.call(actor, () -> {
                try {
                    return binding.invoker().invoke(args);
                } catch (Exception | Error e) {
                    throw e;
                } catch (Throwable t) {
                    throw new UndeclaredThrowableException(t);
                }
            });
        } catch (UndeclaredThrowableException e) {
            throw e.getCause();
        }
    }

    private Object[] arguments(Delivered d, Envelope.Event event, Object data, int attempt) {
        Object[] args = new Object[binding.parameters()];
        if (binding.eventIndex() >= 0) {
            args[binding.eventIndex()] = data;
        }
        if (binding.messageIndex() >= 0) {
            args[binding.messageIndex()] = new Message<>(event.id(), event.source(), event.type(), event.subject(),
                    event.time(), binding.topic(), binding.group(), d.partition(), d.offset(), d.record().key(), d.record().headers(), data,
                    attempt);
        }
        return args;
    }

    /**
     * Publishes the record to {@code <topic>.dlq} as it came, with the dead-letter headers, and waits for the
     * acknowledgement: until then the record is not committed, so nothing is lost if that fails. A dead letter that
     * cannot be published is tried again with the consumer's back-off (jitter, up to its max-backoff), without
     * handling the record again, until it is published or the consumer stops (then it is not committed). One the
     * broker refuses for its size (larger than it takes: the record plus the dead-letter headers) goes without the
     * record's value and headers, naming where the record is — a record must not stop its partition for ever; other
     * refusals (a .dlq not yet authorised) are tried again, until an operator fixes them.
     */
    private void deadLetter(Delivered d, String error, int attempts) throws InterruptedException {
        Map<String, List<String>> headers = new LinkedHashMap<>(d.record().headers());
        String e = error.length() > 1000 ? error.substring(0, 1000) : error;
        headers.put(DLQ_ERROR, List.of(e));
        headers.put(DLQ_ATTEMPTS, List.of(Integer.toString(attempts)));
        headers.put(DLQ_TOPIC, List.of(binding.topic()));
        headers.put(DLQ_PARTITION, List.of(Integer.toString(d.partition())));
        headers.put(DLQ_OFFSET, List.of(Long.toString(d.offset())));
        headers.put(DLQ_GROUP, List.of(binding.group()));
        headers.remove(ReplayMarker.LETTER_SIGNATURE); // a record's own claim to be a letter of ours counts for nothing
        String dlq = binding.topic() + ".dlq";
        if (replays.signsLetters()) {
            headers.put(ReplayMarker.LETTER_SIGNATURE, List.of(replays.signLetter(dlq, d.record().key(), headers,
                    d.record().value())));
        }
        BrokerRecord letter = new BrokerRecord(dlq, d.record().key(), headers, d.record().value());
        boolean slim = false;
        for (int failures = 1; ; failures++) {
            try {
                broker.send(letter).get(publishTimeout.toMillis(), TimeUnit.MILLISECONDS);
                break;
            } catch (ExecutionException | TimeoutException ex) {
                if (!slim && ex instanceof ExecutionException && broker.tooLarge(ex.getCause())) {
                    slim = true;
                    Map<String, List<String>> only = new LinkedHashMap<>(headers);
                    only.keySet().retainAll(List.of(DLQ_ERROR, DLQ_ATTEMPTS, DLQ_TOPIC, DLQ_PARTITION, DLQ_OFFSET,
                            DLQ_GROUP));
                    only.put(DLQ_VALUE_DROPPED, List.of(ex.getCause().getClass().getSimpleName()));
                    if (replays.signsLetters()) {
                        only.put(ReplayMarker.LETTER_SIGNATURE, List.of(replays.signLetter(dlq, d.record().key(), only,
                                new byte[0])));
                    }
                    letter = new BrokerRecord(dlq, d.record().key(), only, new byte[0]);
                    LOG.log(Level.WARNING, "{0}: {1} refused the dead letter of {2} ({3}); sending it without the"
                            + " record''s value and headers: the record stays at {2} while the topic keeps it",
                            binding.describe(), dlq, where(d), ex.getCause().toString());
                    continue;
                }
                Duration wait = dlqBackoff.delay(Math.min(failures, 64));
                if (failures == 1 || failures % 10 == 0) {
                    LOG.log(Level.WARNING, "{0}: the dead letter of {1} could not be published to {2} ({3} time(s));"
                            + " trying again in {4} ms: {5}", binding.describe(), where(d), dlq, failures,
                            wait.toMillis(), ex instanceof ExecutionException ? ex.getCause() : ex);
                }
                dlqFailures.add(1, handled);
                TimeUnit.NANOSECONDS.sleep(wait.toNanos()); // interrupted at shutdown: not committed
            }
        }
        deadLetters.add(1, handled);
        LOG.log(Level.WARNING, "{0}: {1} went to {2} after {3} attempt(s): {4}", binding.describe(), where(d), dlq,
                attempts, e);
    }

    private static String where(Delivered d) {
        return d.record().topic() + "/" + d.partition() + "@" + d.offset();
    }

    private static List<String> values(BrokerRecord record, String name) {
        List<String> v = record.headers().get(name);
        return v == null ? new ArrayList<>() : v;
    }
}
