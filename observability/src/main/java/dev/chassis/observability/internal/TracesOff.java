package dev.chassis.observability.internal;

import dev.chassis.core.Problem;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;

/** {@code /observe/traces} when the store is off: a 404 problem that says so, and why. Not API. */
@Path("/observe/traces")
public final class TracesOff {
    private final String why;

    TracesOff(String why) {
        this.why = why;
    }

    @Get
    public String recent() {
        throw off();
    }

    @Get
    @Path("/{traceId}")
    public String one(@PathParam("traceId") String traceId) {
        throw off();
    }

    private Problem off() {
        return Problem.notFound("the trace store is off (" + why + "): spans go only to the configured exporter,"
                + " if any");
    }
}
