package dev.chassis.core.internal.shared;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

import io.opentelemetry.context.propagation.TextMapGetter;

/**
 * What W3C Trace Context asks of a receiver before the OpenTelemetry propagator parses the headers: a
 * {@code traceparent} sent more than once is invalid (a new trace starts); repeated {@code tracestate}
 * headers are one list; a list of more than 32 members, or with an invalid or duplicated member, is dropped.
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
            return validTracestate(joined) ? joined : null;
        }
        return joined; // baggage: repeated headers are one list too
    }

    /** W3C Trace Context §3.3: at most 32 list members, each {@code key=value}, keys unique; empty members allowed. */
    public static boolean validTracestate(String list) {
        int members = 0;
        Set<String> keys = new HashSet<>();
        for (String raw : list.split(",", -1)) {
            String member = raw.strip();
            if (member.isEmpty()) {
                continue;
            }
            int eq = member.indexOf('=');
            if (eq <= 0 || !validKey(member.substring(0, eq)) || !validValue(member.substring(eq + 1))
                    || !keys.add(member.substring(0, eq)) || ++members > MAX_MEMBERS) {
                return false;
            }
        }
        return true;
    }

    private static boolean validKey(String key) {
        int at = key.indexOf('@');
        if (at < 0) {
            return key.length() <= 256 && lcalpha(key.charAt(0)) && tail(key, 1);
        }
        String tenant = key.substring(0, at);
        String system = key.substring(at + 1);
        return !tenant.isEmpty() && tenant.length() <= 241 && (lcalpha(tenant.charAt(0)) || digit(tenant.charAt(0)))
                && tail(tenant, 1) && !system.isEmpty() && system.length() <= 14 && lcalpha(system.charAt(0))
                && tail(system, 1);
    }

    private static boolean tail(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(lcalpha(c) || digit(c) || c == '_' || c == '-' || c == '*' || c == '/')) {
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
