package dev.chassis.core.internal.shared;

import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

/**
 * Tracing for messaging bindings (STANDARD §4 and §6): a producer span whose context the message carries in
 * its {@code traceparent}, {@code tracestate} and {@code baggage} headers, and a consumer span that continues
 * it. Span names and attributes follow the OpenTelemetry messaging conventions ({@code send orders},
 * {@code process orders}, {@code messaging.destination.name}, ...). With no SDK installed, spans are no-ops
 * and nothing is written.
 *
 * <pre>{@code
 * MessageTracing tracing = MessageTracing.of(context.openTelemetry(), "kafka");
 * Span span = tracing.startPublish("orders", id, record.headers()::add);   // then send, then span.end()
 * Span span = tracing.startConsume("orders", "billing", id, name -> valuesOf(record, name));
 * try (Scope s = span.makeCurrent()) { handler... } finally { span.end(); }
 * }</pre>
 *
 * <p>Not API: see the package documentation.
 */
public final class MessageTracing {
    private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    private static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    private static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    private static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    private static final AttributeKey<String> GROUP = AttributeKey.stringKey("messaging.consumer.group.name");
    private static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");

    private final OpenTelemetry otel;
    private final Tracer tracer;
    private final String system;

    private MessageTracing(OpenTelemetry otel, String system) {
        this.otel = Objects.requireNonNull(otel, "otel");
        this.tracer = otel.getTracer("dev.chassis"); // once: looking a tracer up costs, per message
        this.system = Objects.requireNonNull(system, "system");
    }

    /** Tracing for one messaging system ({@code kafka}, {@code chassis-memory}, ...). */
    public static MessageTracing of(OpenTelemetry otel, String system) {
        return new MessageTracing(otel, system);
    }

    /**
     * Starts the PRODUCER span of a message, a child of the current span, and writes its context with
     * {@code headerWriter(name, value)}. End the span once the broker acknowledged (or refused) the message.
     */
    public Span startPublish(String topic, String messageId, BiConsumer<String, String> headerWriter) {
        SpanBuilder b = tracer.spanBuilder("send " + topic)
                .setSpanKind(SpanKind.PRODUCER)
                .setAttribute(SYSTEM, system)
                .setAttribute(DESTINATION, topic)
                .setAttribute(OPERATION_TYPE, "send")
                .setAttribute(OPERATION_NAME, "send");
        if (messageId != null) {
            b.setAttribute(MESSAGE_ID, messageId);
        }
        Span span = b.startSpan();
        otel.getPropagators().getTextMapPropagator().inject(Context.current().with(span), headerWriter,
                (writer, name, value) -> {
                    if (writer != null) {
                        writer.accept(name, value);
                    }
                });
        return span;
    }

    /**
     * Starts the CONSUMER span of a delivered message, continuing the context its headers carry
     * ({@code headerReader(name)} returns every value of a header, or an empty list). Make it current
     * around the handler and end it when the handler returns.
     */
    public Span startConsume(String topic, String group, String messageId, Function<String, List<String>> headerReader) {
        Context parent = TraceContextHeaders.extract(otel.getPropagators().getTextMapPropagator(), headerReader, READER);
        SpanBuilder b = tracer.spanBuilder("process " + topic)
                .setSpanKind(SpanKind.CONSUMER)
                .setParent(parent)
                .setAttribute(SYSTEM, system)
                .setAttribute(DESTINATION, topic)
                .setAttribute(OPERATION_TYPE, "process")
                .setAttribute(OPERATION_NAME, "process");
        if (group != null) {
            b.setAttribute(GROUP, group);
        }
        if (messageId != null) {
            b.setAttribute(MESSAGE_ID, messageId);
        }
        return b.startSpan();
    }

    private static final TextMapGetter<Function<String, List<String>>> READER =
            TraceContextHeaders.getter(Function::apply);
}
