package dev.chassis.observability.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import dev.chassis.core.Peer;
import dev.chassis.core.internal.shared.CallPeer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;

/**
 * The log line formats of {@code logging.format}: one plain-text line per record, or one JSON object per line
 * with {@code timestamp}, {@code level}, {@code logger}, {@code message}, {@code service}, {@code trace_id} and
 * {@code span_id} (the span current on the logging thread: the request's, inside a handler), plus
 * {@code thread} and {@code exception} when there is one. With {@code logging.peer-identity}, a line logged while a
 * request from an authenticated caller (mutual TLS) is served also has {@code peer}: its SPIFFE ID, else its DNS name or
 * subject. Not API.
 */
final class LogFormat extends Formatter {
    private static final JsonFactory JSON = new JsonFactory();

    private final boolean json;
    private final String service;
    private final boolean peerIdentity;

    LogFormat(boolean json, String service, boolean peerIdentity) {
        this.json = json;
        this.service = service;
        this.peerIdentity = peerIdentity;
    }

    boolean json() {
        return json;
    }

    @Override
    public String format(LogRecord record) {
        SpanContext span = Span.current().getSpanContext();
        String message = formatMessage(record);
        String thrown = record.getThrown() == null ? null : stackTrace(record.getThrown());
        String peer = peerIdentity ? peer() : null;
        return json ? json(record, message, span, peer, thrown) : text(record, message, span, peer, thrown);
    }

    /** The authenticated caller of the request this thread serves, or null. */
    private static String peer() {
        Peer peer = CallPeer.current();
        return peer == null ? null : peer.identity().orElse(null);
    }

    private String text(LogRecord record, String message, SpanContext span, String peer, String thrown) {
        StringBuilder b = new StringBuilder(128)
                .append(record.getInstant()).append(' ')
                .append(String.format("%-5s", level(record.getLevel()))).append(' ')
                .append(record.getLoggerName()).append(" - ").append(message);
        if (span.isValid()) {
            b.append(" [trace_id=").append(span.getTraceId()).append(" span_id=").append(span.getSpanId());
            if (peer != null) {
                b.append(" peer=").append(peer);
            }
            b.append(']');
        } else if (peer != null) {
            b.append(" [peer=").append(peer).append(']');
        }
        b.append(System.lineSeparator());
        if (thrown != null) {
            b.append(thrown);
        }
        return b.toString();
    }

    private String json(LogRecord record, String message, SpanContext span, String peer, String thrown) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("timestamp", Instant.ofEpochSecond(record.getInstant().getEpochSecond(),
                    record.getInstant().getNano()).toString());
            g.writeStringField("level", level(record.getLevel()));
            g.writeStringField("logger", record.getLoggerName());
            g.writeStringField("message", message);
            g.writeStringField("service", service);
            if (span.isValid()) {
                g.writeStringField("trace_id", span.getTraceId());
                g.writeStringField("span_id", span.getSpanId());
            }
            if (peer != null) {
                g.writeStringField("peer", peer);
            }
            g.writeStringField("thread", Thread.currentThread().getName());
            if (thrown != null) {
                g.writeStringField("exception", thrown);
            }
            g.writeEndObject();
        } catch (IOException e) {
            return "{\"level\":\"ERROR\",\"message\":\"a log record could not be written as JSON\"}\n";
        }
        return out.append('\n').toString();
    }

    static String level(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (v >= Level.WARNING.intValue()) {
            return "WARN";
        }
        if (v >= Level.INFO.intValue()) {
            return "INFO";
        }
        if (v >= Level.FINE.intValue()) {
            return "DEBUG";
        }
        return "TRACE";
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
