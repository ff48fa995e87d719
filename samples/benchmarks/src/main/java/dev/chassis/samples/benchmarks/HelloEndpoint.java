package dev.chassis.samples.benchmarks;

import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;

/** The annotated handler {@link ChassisServer} serves. */
@Path("/hello")
public final class HelloEndpoint {
    /** {@code GET /hello}: always the same greeting. */
    @Get
    public Greeting hello() {
        return Greeting.HELLO;
    }
}
