package dev.chassis.core.internal.http.server;

import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.function.Function;

import dev.chassis.core.Problem;
import dev.chassis.core.ProblemSource;
import io.grpc.StatusRuntimeException;
import io.helidon.http.HttpException;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http.ErrorHandler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import dev.chassis.core.internal.http.Problems;
import dev.chassis.core.internal.http.TraceIds;
import dev.chassis.core.internal.transport.RequestDeadlines;
import io.opentelemetry.api.trace.Span;

/**
 * The routing's error handler: every exception a handler or filter throws becomes a problem response.
 * A {@link Problem} is sent as it is; an application exception with a registered mapper becomes that
 * mapper's problem; Helidon's HTTP exceptions keep their status; anything else is a 500 that says
 * nothing of the service's internals and is logged with the trace id. An answer that cannot be written because the
 * connection has ended is dropped (logged at DEBUG). Not API.
 */
public final class ErrorResponder implements ErrorHandler<Throwable> {
    private static final System.Logger LOG = System.getLogger(ErrorResponder.class.getName());

    private final Map<Class<? extends Throwable>, Function<Throwable, Problem>> mappers;

    /** @param mappers application exception type → problem; the most specific type wins */
    public ErrorResponder(Map<Class<? extends Throwable>, Function<Throwable, Problem>> mappers) {
        this.mappers = Map.copyOf(mappers);
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res, Throwable error) {
        Problem problem = toProblem(req, error);
        try {
            Problems.send(req, res, problem);
        } catch (ServerConnectionException gone) {
            if (!res.isSent()) {
                throw gone; // not a write to a connection that ended (an encoder that failed before any byte went out)
            }
            // the connection ended before the answer could be written (an HTTP/2 client that hung up mid-body): nobody
            // is there to read it, and it is not the service's failure — Helidon would log a WARNING with both traces
            LOG.log(Level.DEBUG, () -> "could not answer " + problem.status() + " to " + req.prologue().method().text()
                    + " " + req.path().path() + ": the connection had ended", gone);
        }
    }

    /** The status this handler answers for an exception (for telemetry that sees the exception first). */
    public int statusOf(Throwable error) {
        Problem p = known(error);
        return p == null ? 500 : p.status();
    }

    Problem toProblem(ServerRequest req, Throwable error) {
        Problem late = RequestDeadlines.finish();
        if (late != null) {
            return late; // whatever the interrupted handler threw
        }
        Problem known = known(error);
        if (known != null) {
            return known;
        }
        String traceId = TraceIds.of(req);
        Span.current().recordException(error); // on the request's span, when traced
        LOG.log(Level.ERROR, "Unhandled exception in " + req.prologue().method().text() + " " + req.path().path()
                + " (traceId=" + traceId + ")", error);
        return Problem.builder(500)
                .detail("An unexpected error occurred. Quote the traceId when reporting it.")
                .build();
    }

    /** The problem of an exception Chassis knows how to answer, or null for an unexpected one (a 500). */
    private Problem known(Throwable error) {
        if (error instanceof Problem p) {
            return p;
        }
        Function<Throwable, Problem> mapper = mapperFor(error.getClass());
        if (mapper != null) {
            try {
                Problem p = mapper.apply(error);
                if (p != null) {
                    return p;
                }
            } catch (RuntimeException mapperFailure) {
                error.addSuppressed(mapperFailure);
            }
        }
        if (error instanceof StatusRuntimeException sre && sre.getCause() instanceof ProblemSource source) {
            return source.toProblem(); // a failed call through a Chassis gRPC channel
        }
        if (error instanceof ProblemSource source) {
            LOG.log(Level.DEBUG, () -> "answering " + source.toProblem().status() + " for " + error);
            return source.toProblem();
        }
        if (error instanceof HttpException http && http.status().code() >= 400 && http.status().code() < 500) {
            return Problem.builder(http.status().code()).detail(http.getMessage()).build();
        }
        return null;
    }

    private Function<Throwable, Problem> mapperFor(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            Function<Throwable, Problem> m = mappers.get(c);
            if (m != null) {
                return m;
            }
        }
        return null;
    }
}
