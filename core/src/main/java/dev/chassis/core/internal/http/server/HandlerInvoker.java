package dev.chassis.core.internal.http.server;

import java.lang.invoke.MethodHandle;
import java.util.List;

import dev.chassis.core.Problem;
import dev.chassis.core.internal.transport.Origins;
import dev.chassis.core.internal.transport.RequestDeadlines;
import dev.chassis.core.internal.validation.Validation;
import dev.chassis.core.spi.AccessPolicy;
import dev.chassis.core.spi.Call;
import dev.chassis.core.spi.CallSite;
import dev.chassis.core.spi.Invocation;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The Helidon handler of one annotated method: reads the arguments with readers built at start-up,
 * invokes the bound method handle, writes the result. Exceptions go to the routing's error handler.
 * Not API.
 */
final class HandlerInvoker implements Handler {
    private final MethodHandle invoker;
    private final Invocation decorated; // null when no decorator applies: the method handle is called directly
    private final CallSite site;
    /** Who may call; null when everyone may. Checked before anything of the request is read. */
    private final AccessPolicy.Rule access;
    private final ArgumentReader[] readers;
    /** Bean Validation of the arguments; null when no parameter is constrained. */
    private final Validation.ArgumentsCheck constraints;
    private final ResultWriter writer;
    private final boolean producesJson;
    /** For POST and PATCH when the service keeps Idempotency-Key answers; else null. */
    private final IdempotentRequests idempotency;

    HandlerInvoker(MethodHandle invoker, Invocation decorated, CallSite site, AccessPolicy.Rule access,
                   ArgumentReader[] readers,
                   Validation.ArgumentsCheck constraints, ResultWriter writer, IdempotentRequests idempotency) {
        this.idempotency = idempotency;
        this.invoker = invoker;
        this.decorated = decorated;
        this.site = site;
        this.access = access;
        this.readers = readers;
        this.constraints = constraints;
        this.writer = writer;
        this.producesJson = writer.producesJson();
    }

    /** Parses {@code Accept} only when it is neither absent nor one of the common values that allow JSON. */
    private static boolean acceptsJson(ServerRequest req) {
        List<String> accept = req.headers().all(HeaderNames.ACCEPT, List::of);
        if (accept.isEmpty()) {
            return true;
        }
        if (accept.size() == 1) {
            String a = accept.get(0);
            if (a.equals("*/*") || a.equals("application/json") || a.equals("application/*")) {
                return true;
            }
        }
        return req.headers().isAccepted(MediaTypes.APPLICATION_JSON);
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) throws Exception {
        if (access != null) {
            AccessPolicy.Denial denial = access.check(Callers.of(req));
            if (denial != null) {
                throw Callers.problem(denial);
            }
        }
        if (producesJson && !acceptsJson(req)) {
            throw Problem.builder(406).detail("this resource answers application/json; the Accept header does not allow it")
                    .build();
        }
        if (idempotency != null && IdempotentRequests.carriesKey(req)) {
            idempotency.handle(req, res, body -> run(req, res, body));
        } else {
            run(req, res, null);
        }
    }

    /** Reads the arguments (the body from {@code body} when it was read already), invokes, writes the result. */
    private void run(ServerRequest req, ServerResponse res, byte[] body) throws Exception {
        Object[] args = new Object[readers.length];
        for (int i = 0; i < readers.length; i++) {
            args[i] = body != null && readers[i] instanceof BodyReader.BodyArgument b ? b.read(req, body)
                    : readers[i].read(req, res);
        }
        if (constraints != null) {
            constraints.check(args);
        }
        Object result;
        if (decorated != null) {
            result = decorated.invoke(Call.of(site, args, site.idempotentMethod(), () -> Origins.of(req)));
        } else {
            try {
                result = (Object) invoker.invokeExact(args);
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
        Problem late = RequestDeadlines.finish();
        if (late != null) {
            throw late; // the handler ignored its interrupt: its answer is too late
        }
        if (!res.isSent()) {
            writer.write(req, res, result);
        }
    }
}
