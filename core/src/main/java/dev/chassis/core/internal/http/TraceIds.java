package dev.chassis.core.internal.http;

import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;

/**
 * The trace id of a request, for problem bodies and error logs: the current OpenTelemetry span's
 * when an SDK is installed, else the one in a valid incoming {@code traceparent}, else a new random
 * one (kept on the request so that the log line and the answer agree). Not API.
 */
public final class TraceIds {
    private static final HeaderName TRACEPARENT = HeaderNames.create("traceparent");
    private static final String CONTEXT_KEY = TraceIds.class.getName();

    private TraceIds() {
    }

    /** The trace id of this request. Allocates only on error paths. */
    public static String of(ServerRequest req) {
        SpanContext span = Span.current().getSpanContext();
        if (span.isValid()) {
            return span.getTraceId();
        }
        return req.context().get(CONTEXT_KEY, String.class).orElseGet(() -> {
            // a traceparent sent twice is invalid (W3C Trace Context): a new trace
            List<String> sent = req.headers().all(TRACEPARENT, List::of);
            String fromHeader = sent.size() == 1 ? fromTraceparent(sent.get(0)) : null;
            String id = fromHeader != null ? fromHeader : random();
            req.context().register(CONTEXT_KEY, id);
            return id;
        });
    }

    /**
     * Records the trace id of the request's span, for what runs after the span stopped being current (the
     * error handler of an exception that escaped the telemetry filter).
     */
    public static void remember(ServerRequest req, String traceId) {
        req.context().register(CONTEXT_KEY, traceId);
    }

    /** The trace id of a well-formed {@code traceparent} header, or {@code null}. */
    public static String fromTraceparent(String header) {
        // version "-" trace-id "-" parent-id "-" flags; version ff is invalid; all-zero ids are invalid
        String h = header.trim();
        if (h.length() < 55 || h.charAt(2) != '-' || h.charAt(35) != '-' || h.charAt(52) != '-') {
            return null;
        }
        String version = h.substring(0, 2);
        String traceId = h.substring(3, 35);
        if (!isHex(version) || version.equals("ff") || !isHex(traceId) || traceId.equals("0".repeat(32))
                || !isHex(h.substring(36, 52)) || !isHex(h.substring(53, 55))) {
            return null;
        }
        if (version.equals("00") && h.length() != 55) {
            return null;
        }
        return traceId;
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    public static String random() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        HexFormat hex = HexFormat.of();
        return hex.toHexDigits(r.nextLong()) + hex.toHexDigits(r.nextLong() | 1L);
    }
}
