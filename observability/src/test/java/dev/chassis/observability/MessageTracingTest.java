package dev.chassis.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.chassis.core.internal.shared.MessageTracing;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;

/**
 * The hooks messaging bindings use: a message carries its producer span's context in its headers, and the
 * consumer continues it. The "broker" here is a header map: the messaging issue tests real brokers.
 */
class MessageTracingTest {
    private final List<ReadableSpan> ended = new ArrayList<>();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(new SpanProcessor() {
                @Override
                public void onStart(Context parentContext, ReadWriteSpan span) {
                }

                @Override
                public boolean isStartRequired() {
                    return false;
                }

                @Override
                public void onEnd(ReadableSpan span) {
                    ended.add(span);
                }

                @Override
                public boolean isEndRequired() {
                    return true;
                }

                @Override
                public CompletableResultCode shutdown() {
                    return CompletableResultCode.ofSuccess();
                }
            }).build())
            .setPropagators(ContextPropagators.create(TextMapPropagator.composite(W3CTraceContextPropagator.getInstance(),
                    W3CBaggagePropagator.getInstance())))
            .build();
    private final MessageTracing tracing = MessageTracing.of(sdk, "test-broker");

    @Test
    void publishAndConsumeAreOneTrace() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        Span request = sdk.getTracer("test").spanBuilder("GET /orders").startSpan();
        Span producer;
        Scope scope = Context.current().with(request).with(Baggage.builder().put("tenant", "acme").build()).makeCurrent();
        try {
            producer = tracing.startPublish("orders", "m-1", (k, v) -> headers.computeIfAbsent(k, x -> new ArrayList<>())
                    .add(v));
            producer.end();
        } finally {
            scope.close();
            request.end();
        }
        // flags: sampled, and (W3C Trace Context level 2, which OpenTelemetry sets) a random trace id
        assertThat(headers.get("traceparent")).singleElement().asString().matches("00-" + request.getSpanContext()
                .getTraceId() + "-" + producer.getSpanContext().getSpanId() + "-0[13]");
        assertThat(headers.get("baggage")).containsExactly("tenant=acme");

        Span consumer = tracing.startConsume("orders", "billing", "m-1", name -> headers.getOrDefault(name, List.of()));
        consumer.end();
        ReadableSpan c = (ReadableSpan) consumer;
        assertThat(c.getSpanContext().getTraceId()).isEqualTo(request.getSpanContext().getTraceId());
        assertThat(c.getParentSpanContext().getSpanId()).isEqualTo(producer.getSpanContext().getSpanId());
        assertThat(c.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(c.getName()).isEqualTo("process orders");
        assertThat(c.getAttribute(AttributeKey.stringKey("messaging.consumer.group.name")))
                .isEqualTo("billing");
        ReadableSpan p = (ReadableSpan) producer;
        assertThat(p.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(p.getName()).isEqualTo("send orders");
        assertThat(p.getAttribute(AttributeKey.stringKey("messaging.destination.name")))
                .isEqualTo("orders");
    }

    @Test
    void aMessageWithADuplicatedOrNoTraceparentStartsANewTrace() {
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        Span twice = tracing.startConsume("orders", "g", null, name -> name.equals("traceparent")
                ? List.of("00-" + trace + "-00f067aa0ba902b7-01", "00-" + trace + "-b7ad6b7169203331-01") : List.of());
        assertThat(twice.getSpanContext().getTraceId()).isNotEqualTo(trace);
        Span none = tracing.startConsume("orders", "g", null, name -> List.of());
        assertThat(((ReadableSpan) none).getParentSpanContext().isValid()).isFalse();
        Span invalidState = tracing.startConsume("orders", "g", null, name -> switch (name) {
            case "traceparent" -> List.of("00-" + trace + "-00f067aa0ba902b7-01");
            case "tracestate" -> List.of("Bad=1");
            default -> List.of();
        });
        assertThat(invalidState.getSpanContext().getTraceId()).isEqualTo(trace);
        assertThat(invalidState.getSpanContext().getTraceState().isEmpty()).isTrue();
    }
}
