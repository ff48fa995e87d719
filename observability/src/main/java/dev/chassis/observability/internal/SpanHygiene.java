package dev.chassis.observability.internal;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.chassis.observability.spi.SpanRedactor;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.trace.data.DelegatingSpanData;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;

/**
 * What every ended span goes through before a sink keeps or sends it: the application's {@link SpanRedactor}s (on the
 * span's attributes and each event's), and, for sinks that may not show them, the removal of exception messages and
 * stack traces ({@code exception.type} stays). Free when there is nothing to do: a span comes back as it was. Not API.
 */
final class SpanHygiene {
    private static final System.Logger LOG = System.getLogger(SpanHygiene.class.getName());
    static final AttributeKey<String> EXCEPTION_MESSAGE = AttributeKey.stringKey("exception.message");
    static final AttributeKey<String> EXCEPTION_STACKTRACE = AttributeKey.stringKey("exception.stacktrace");

    private final String service;
    private final List<SpanRedactor> redactors;
    /** Redactors that failed, logged once each. */
    private final Map<Class<?>, Boolean> failed = new ConcurrentHashMap<>();

    SpanHygiene(String service, List<SpanRedactor> redactors) {
        this.service = service;
        this.redactors = List.copyOf(redactors);
    }

    boolean redacts() {
        return !redactors.isEmpty();
    }

    /**
     * The span as a sink may keep it, or {@code null} when a redactor failed (the span is dropped, not kept
     * unredacted).
     *
     * @param exceptionDetails whether {@code exception.message} and {@code exception.stacktrace} may stay
     */
    SpanData apply(SpanData span, boolean exceptionDetails) {
        List<EventData> events = span.getEvents();
        boolean strip = !exceptionDetails && hasDetails(events);
        if (redactors.isEmpty() && !strip) {
            return span;
        }
        Attributes attributes = span.getAttributes();
        List<EventData> kept = events.isEmpty() ? events : new ArrayList<>(events.size());
        try {
            attributes = redact(new SpanRedactor.Site(service, span.getName(), span.getKind(), null), attributes);
            for (EventData e : events) {
                Attributes a = e.getAttributes();
                if (strip) {
                    a = a.toBuilder().remove(EXCEPTION_MESSAGE).remove(EXCEPTION_STACKTRACE).build();
                }
                a = redact(new SpanRedactor.Site(service, span.getName(), span.getKind(), e.getName()), a);
                kept.add(a == e.getAttributes() ? e
                        : EventData.create(e.getEpochNanos(), e.getName(), a, e.getTotalAttributeCount()));
            }
        } catch (Failed f) {
            return null;
        }
        return new Redacted(span, attributes, kept);
    }

    private Attributes redact(SpanRedactor.Site site, Attributes attributes) {
        for (SpanRedactor r : redactors) {
            Attributes out;
            try {
                out = r.redact(site, attributes);
            } catch (RuntimeException e) {
                warn(r, e);
                throw new Failed();
            }
            if (out == null) {
                warn(r, null);
                throw new Failed();
            }
            attributes = out;
        }
        return attributes;
    }

    private void warn(SpanRedactor r, RuntimeException e) {
        if (failed.putIfAbsent(r.getClass(), Boolean.TRUE) == null) {
            LOG.log(Level.WARNING, "the span redactor " + r.getClass().getName() + (e == null ? " returned null"
                    : " failed") + "; spans it cannot redact are dropped, not kept or exported (logged once)", e);
        }
    }

    private static boolean hasDetails(List<EventData> events) {
        for (EventData e : events) {
            Attributes a = e.getAttributes();
            if (a.get(EXCEPTION_MESSAGE) != null || a.get(EXCEPTION_STACKTRACE) != null) {
                return true;
            }
        }
        return false;
    }

    /** A redactor failed: the span is dropped. */
    private static final class Failed extends RuntimeException {
        Failed() {
            super(null, null, false, false);
        }
    }

    /** The span with other attributes and events. */
    private static final class Redacted extends DelegatingSpanData {
        private final Attributes attributes;
        private final List<EventData> events;

        Redacted(SpanData delegate, Attributes attributes, List<EventData> events) {
            super(delegate);
            this.attributes = attributes;
            this.events = List.copyOf(events);
        }

        @Override
        public Attributes getAttributes() {
            return attributes;
        }

        @Override
        public List<EventData> getEvents() {
            return events;
        }
    }
}
