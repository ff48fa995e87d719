package dev.chassis.core.internal.http.server;

import java.net.URI;

import dev.chassis.core.Problem;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import dev.chassis.core.internal.http.Problems;
import dev.chassis.core.internal.http.Statuses;
import dev.chassis.core.internal.http.TraceIds;

/**
 * Answers the errors Helidon detects before routing (malformed request line or headers, body over the
 * limit, too many requests) with problem+json instead of plain text, and turns "header size exceeded"
 * into 431 (Helidon 4.5.0 answers 400). Not API.
 */
public final class ProblemDirectHandler implements DirectHandler {
    /** Helidon's message when a request's headers pass {@code max-headers-size} (Http1HeadersParser). */
    static final String HEADER_SIZE_EXCEEDED = "Header size exceeded";

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status defaultStatus,
                                    ServerResponseHeaders responseHeaders, String message) {
        int status = defaultStatus.code();
        if (status == 400 && message != null && message.contains(HEADER_SIZE_EXCEEDED)) {
            status = 431;
        }
        String detail;
        if (status == 431) {
            detail = "the request's headers are larger than the server accepts";
        } else if (status == 413) {
            detail = "the request body is larger than the server accepts";
        } else if (status < 500 && message != null && !message.isBlank()) {
            detail = message;
        } else {
            detail = null;
        }
        Problem problem = Problem.builder(status < 400 ? 500 : status).detail(detail).build();
        String traceId = request.headers().first(HeaderNames.create("traceparent")).map(TraceIds::fromTraceparent).orElseGet(TraceIds::random);
        URI instance = safeUri(request.path());
        responseHeaders.set(Problems.CONTENT_TYPE);
        return TransportResponse.builder()
                .status(Statuses.of(problem.status()))
                .headers(responseHeaders)
                .entity(Problems.toJson(problem, instance, traceId))
                .keepAlive(false)
                .build();
    }

    private static URI safeUri(String path) {
        if (path == null || path.isEmpty()) {
            return null;
        }
        try {
            return URI.create(path);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
