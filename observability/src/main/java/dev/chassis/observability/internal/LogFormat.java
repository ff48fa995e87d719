package dev.chassis.observability.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import dev.chassis.core.Peer;
import dev.chassis.core.internal.shared.CallOrigin;
import dev.chassis.core.internal.shared.CallPeer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;

/**
 * The log line formats of {@code logging.format}: one plain-text line per record, or one JSON object per line
 * with {@code timestamp}, {@code level}, {@code logger}, {@code message}, {@code service}, {@code trace_id} and
 * {@code span_id} (the span current on the logging thread: the request's, inside a handler), plus
 * {@code thread} and {@code exception} when there is one. With {@code logging.peer-identity}, a line logged while a
 * request from an authenticated caller (mutual TLS) is served also has {@code peer}: its SPIFFE ID, else its DNS name or
 * subject. With {@code logging.client-address}, a line logged while an HTTP request is served also has {@code client}:
 * the client's address as the request's {@code Origin} gives it (a trusted proxy's forwarded address, else the
 * connection's peer).
 *
 * <p>The text format escapes CR, LF, tab and every other control character (C0, DEL, C1, and the Unicode line and
 * paragraph separators) in each field it prints — {@code \\r}, {@code \\n}, {@code \\t}, else {@code \\u001b} — so
 * a request path, a CloudEvents type or an exception message can neither start a forged record nor send ANSI escape
 * sequences to a terminal: a record is one line, followed, when it has one, by its stack trace, whose lines Chassis
 * writes itself (the {@code Throwable}'s text escaped on each). The JSON format escapes through JSON. Not API.
 */
final class LogFormat extends Formatter {
    private static final JsonFactory JSON = new JsonFactory();

    private final boolean json;
    private final String service;
    private final boolean peerIdentity;
    private final boolean clientAddress;

    LogFormat(boolean json, String service, boolean peerIdentity, boolean clientAddress) {
        this.json = json;
        this.service = service;
        this.peerIdentity = peerIdentity;
        this.clientAddress = clientAddress;
    }

    boolean json() {
        return json;
    }

    @Override
    public String format(LogRecord record) {
        SpanContext span = Span.current().getSpanContext();
        String message = formatMessage(record);
        String peer = peerIdentity ? peer() : null;
        String client = clientAddress ? client() : null;
        if (json) {
            return json(record, message, span, peer, client,
                    record.getThrown() == null ? null : stackTrace(record.getThrown()));
        }
        return text(record, message, span, peer, client,
                record.getThrown() == null ? null : escapedStackTrace(record.getThrown()));
    }

    /** The client address of the HTTP request this thread serves, or null. */
    private static String client() {
        return CallOrigin.clientAddress();
    }

    /** The authenticated caller of the request this thread serves, or null. */
    private static String peer() {
        Peer peer = CallPeer.current();
        return peer == null ? null : peer.identity().orElse(null);
    }

    private String text(LogRecord record, String message, SpanContext span, String peer, String client, String thrown) {
        StringBuilder b = new StringBuilder(128)
                .append(record.getInstant()).append(' ')
                .append(String.format("%-5s", level(record.getLevel()))).append(' ')
                .append(escape(record.getLoggerName())).append(" - ").append(escape(message));
        int fields = b.length();
        if (span.isValid()) {
            b.append(" trace_id=").append(span.getTraceId()).append(" span_id=").append(span.getSpanId());
        }
        if (peer != null) {
            b.append(" peer=").append(escape(peer));
        }
        if (client != null) {
            b.append(" client=").append(escape(client));
        }
        if (b.length() > fields) {
            b.setCharAt(fields, '[');
            b.insert(fields, ' ').append(']');
        }
        b.append(System.lineSeparator());
        if (thrown != null) {
            b.append(thrown);
        }
        return b.toString();
    }

    private String json(LogRecord record, String message, SpanContext span, String peer, String client, String thrown) {
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
            if (client != null) {
                g.writeStringField("client", client);
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

    /** {@code text} with CR, LF, tab and the other control characters escaped, so that it stays on one line. */
    static String escape(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder b = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = c < 0x20 || c >= 0x7f && c <= 0x9f || c == 0x2028 || c == 0x2029;
            if (control && b == null) {
                b = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (!control) {
                if (b != null) {
                    b.append(c);
                }
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\t') {
                b.append("\\t");
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b == null ? text : b.toString();
    }

    /** As {@link Throwable#printStackTrace()} prints it, with each throwable's text and each frame escaped. */
    private static String escapedStackTrace(Throwable t) {
        StringBuilder b = new StringBuilder(1024);
        trace(t, b, "", "", new StackTraceElement[0], Collections.newSetFromMap(new IdentityHashMap<>()));
        return b.toString();
    }

    private static void trace(Throwable t, StringBuilder b, String caption, String prefix, StackTraceElement[] enclosing,
                              Set<Throwable> seen) {
        String nl = System.lineSeparator();
        if (!seen.add(t)) {
            b.append(prefix).append(caption).append("[CIRCULAR REFERENCE: ").append(escape(t.toString())).append(']').append(nl);
            return;
        }
        StackTraceElement[] frames = t.getStackTrace();
        int m = frames.length - 1;
        int n = enclosing.length - 1;
        while (m >= 0 && n >= 0 && frames[m].equals(enclosing[n])) {
            m--;
            n--;
        }
        b.append(prefix).append(caption).append(escape(t.toString())).append(nl);
        for (int i = 0; i <= m; i++) {
            b.append(prefix).append("\tat ").append(escape(frames[i].toString())).append(nl);
        }
        if (m < frames.length - 1) {
            b.append(prefix).append("\t... ").append(frames.length - 1 - m).append(" more").append(nl);
        }
        for (Throwable suppressed : t.getSuppressed()) {
            trace(suppressed, b, "Suppressed: ", prefix + "\t", frames, seen);
        }
        if (t.getCause() != null) {
            trace(t.getCause(), b, "Caused by: ", prefix, frames, seen);
        }
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
