package dev.chassis.core.internal.shared;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.BiFunction;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;

/**
 * What W3C Trace Context asks of a receiver before the OpenTelemetry propagator parses the headers: a
 * {@code traceparent} sent more than once is invalid (a new trace starts); repeated {@code tracestate}
 * headers are one list; a list of more than 32 members, or with an invalid member, is dropped; a key that appears
 * twice keeps its first (leftmost, most recent) member. Keys follow the Level 2 grammar: a lowercase letter or a
 * digit, then up to 255 of {@code a-z 0-9 _ - * / @}. OpenTelemetry's propagator drops a whole list holding a key
 * its Level 1 grammar refuses; {@link #extract} puts such a list back on the remote parent.
 * Used by Chassis' HTTP and gRPC instrumentation; messaging bindings use it through {@link MessageTracing}.
 *
 * <p>Not API: see the package documentation.
 */
public final class TraceContextHeaders {
    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";
    private static final int MAX_MEMBERS = 32;

    private TraceContextHeaders() {
    }

    /**
     * A propagator's view of a carrier (request headers, gRPC metadata, message headers) that applies these rules:
     * {@code values(carrier, name)} returns every value of a header (an empty list when there is none).
     */
    public static <C> TextMapGetter<C> getter(BiFunction<C, String, List<String>> values) {
        return new TextMapGetter<>() {
            @Override
            @SuppressWarnings("deprecation") // still abstract in 1.68; the W3C propagators never call it
            public Iterable<String> keys(C carrier) {
                return List.of();
            }

            @Override
            public String get(C carrier, String key) {
                if (carrier == null) {
                    return null;
                }
                List<String> all = values.apply(carrier, key);
                return all == null ? null : value(key, all);
            }
        };
    }

    /** The value a propagator should see for {@code name}, given every value the request carried. */
    public static String value(String name, List<String> values) {
        if (values.isEmpty()) {
            return null;
        }
        if (name.equals(TRACEPARENT)) {
            return values.size() == 1 ? values.get(0) : null;
        }
        String joined = values.size() == 1 ? values.get(0) : String.join(",", values);
        if (name.equals(TRACESTATE)) {
            return tracestate(joined);
        }
        return joined; // baggage: repeated headers are one list too
    }

    /**
     * {@code propagator.extract} from the root context, and then, when the propagator continued the
     * {@code traceparent} but could not keep the whole {@code tracestate} (a Level 2 key), the remote parent with
     * the list as received. {@code getter} must be one of {@link #getter}'s.
     */
    public static <C> Context extract(TextMapPropagator propagator, C carrier, TextMapGetter<C> getter) {
        Context extracted = propagator.extract(Context.root(), carrier, getter);
        SpanContext parent = Span.fromContext(extracted).getSpanContext();
        if (!parent.isValid() || !parent.isRemote()) {
            return extracted;
        }
        String list = getter.get(carrier, TRACESTATE);
        String traceparent = getter.get(carrier, TRACEPARENT);
        if (list == null || traceparent == null || !traceparent.regionMatches(3, parent.getTraceId(), 0, 32)
                || !traceparent.regionMatches(36, parent.getSpanId(), 0, 16)) {
            return extracted; // no list, or the parent came from another propagator's headers
        }
        ReceivedTraceState received = ReceivedTraceState.parse(list);
        if (received.size() == parent.getTraceState().size()) {
            return extracted; // OpenTelemetry kept every member
        }
        return extracted.with(Span.wrap(SpanContext.createFromRemoteParent(parent.getTraceId(), parent.getSpanId(),
                parent.getTraceFlags(), received)));
    }

    /**
     * W3C Trace Context Level 2 §3.3: at most 32 list members, each {@code key=value}; empty members allowed;
     * a duplicated key is allowed here (see {@link #tracestate}).
     */
    public static boolean validTracestate(String list) {
        return tracestate(list) != null;
    }

    /**
     * The list a receiver passes on: its members without empty ones and without the second and later members of a
     * key; {@code null} when the list is invalid (more than 32 members, a member that is not {@code key=value}).
     */
    static String tracestate(String list) {
        int members = 0;
        Set<String> keys = new HashSet<>();
        StringJoiner kept = new StringJoiner(",");
        for (String raw : list.split(",", -1)) {
            String member = raw.strip();
            if (member.isEmpty()) {
                continue;
            }
            int eq = member.indexOf('=');
            if (eq <= 0 || !validKey(member, eq) || !validValue(member.substring(eq + 1)) || ++members > MAX_MEMBERS) {
                return null;
            }
            if (keys.add(member.substring(0, eq))) {
                kept.add(member);
            }
        }
        return kept.toString();
    }

    /** Level 2: {@code (lcalpha / DIGIT) 0*255(lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@")}. */
    private static boolean validKey(String member, int end) {
        if (end > 256 || !(lcalpha(member.charAt(0)) || digit(member.charAt(0)))) {
            return false;
        }
        for (int i = 1; i < end; i++) {
            char c = member.charAt(i);
            if (!(lcalpha(c) || digit(c) || c == '_' || c == '-' || c == '*' || c == '/' || c == '@')) {
                return false;
            }
        }
        return true;
    }

    /** Up to 256 printable ASCII characters except {@code ,} and {@code =}, not ending in a space. */
    private static boolean validValue(String value) {
        if (value.isEmpty() || value.length() > 256 || value.charAt(value.length() - 1) == ' ') {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e || c == ',' || c == '=') {
                return false;
            }
        }
        return true;
    }

    private static boolean lcalpha(char c) {
        return c >= 'a' && c <= 'z';
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }
}
