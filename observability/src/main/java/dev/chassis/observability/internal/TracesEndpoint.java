package dev.chassis.observability.internal;

import java.util.List;
import java.util.regex.Pattern;

import dev.chassis.core.Problem;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.core.http.QueryParam;

/** {@code GET /observe/traces} and {@code GET /observe/traces/{traceId}}: the embedded trace store. Not API. */
@Path("/observe/traces")
public final class TracesEndpoint {
    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
    static final int MAX_LIMIT = 1000;

    private final String service;
    private final TraceStore store;

    TracesEndpoint(String service, TraceStore store) {
        this.service = service;
        this.store = store;
    }

    /** The recent traces, newest first. */
    public record Traces(String service, List<TraceStore.TraceSummary> traces) {
    }

    /** One trace's spans, in start order. */
    public record Trace(String traceId, List<TraceStore.SpanView> spans) {
    }

    @Get
    public Traces recent(@QueryParam(value = "limit", defaultValue = "50") int limit,
                         @QueryParam(value = "status", defaultValue = "any") String status) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw Problem.badRequest("limit must be between 1 and " + MAX_LIMIT + "; it was " + limit);
        }
        if (!status.equals("any") && !status.equals("error")) {
            throw Problem.badRequest("status must be 'any' or 'error'; it was '" + status + "'");
        }
        return new Traces(service, store.traces(limit, status.equals("error")));
    }

    @Get
    @Path("/{traceId}")
    public Trace one(@PathParam("traceId") String traceId) {
        if (!TRACE_ID.matcher(traceId).matches()) {
            throw Problem.badRequest("a trace id is 32 lower-case hex digits");
        }
        List<TraceStore.SpanView> spans = store.trace(traceId);
        if (spans.isEmpty()) {
            throw Problem.notFound("no span of trace " + traceId + " is in the store (it keeps the most recent spans only)");
        }
        return new Trace(traceId, spans);
    }
}
