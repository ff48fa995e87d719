package dev.chassis.samples.hello;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.chassis.core.Problem;
import dev.chassis.core.http.Body;
import dev.chassis.core.http.Delete;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.core.http.Post;
import dev.chassis.core.http.QueryParam;
import dev.chassis.core.http.Status;
import dev.chassis.openapi.ApiOperation;

/** Greetings: a few annotated handlers over an in-memory map. */
@Path("/greetings")
public final class HelloApi {
    /** What the service answers. */
    public record Greeting(String name, String message, Instant at) {
    }

    /** What a client sends to store a custom greeting. */
    public record NewGreeting(String name, String message) {
        public NewGreeting {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            if (message == null || message.isBlank()) {
                throw new IllegalArgumentException("message must not be blank");
            }
        }
    }

    private final Map<String, Greeting> custom = new ConcurrentHashMap<>();

    /** {@code GET /greetings/{name}?shout=true}: a custom greeting, or the default one. */
    @Get("/{name}")
    public Greeting greet(@PathParam String name, @QueryParam Optional<Boolean> shout) {
        Greeting g = custom.getOrDefault(name, new Greeting(name, "Hello, " + name + "!", Instant.now()));
        return shout.orElse(false) ? new Greeting(g.name(), g.message().toUpperCase(), g.at()) : g;
    }

    /** {@code GET /greetings?limit=10}: the custom greetings. */
    @Get
    public List<Greeting> list(@QueryParam(defaultValue = "10") int limit) {
        if (limit < 1 || limit > 100) {
            throw Problem.builder(400).detail("limit must be between 1 and 100").error("limit", "must be 1-100, was " + limit)
                    .build();
        }
        return custom.values().stream().limit(limit).toList();
    }

    /** {@code POST /greetings}: stores a custom greeting; 409 when one exists. */
    @Post
    @Status(201)
    @ApiOperation(summary = "Store a custom greeting", problems = 409)
    public Greeting create(@Body NewGreeting request) {
        Greeting g = new Greeting(request.name(), request.message(), Instant.now());
        if (custom.putIfAbsent(request.name(), g) != null) {
            throw Problem.conflict("a greeting for " + request.name() + " exists");
        }
        return g;
    }

    /** {@code DELETE /greetings/{name}}: 204, or 404 when there is none. */
    @Delete("/{name}")
    @ApiOperation(summary = "Remove a custom greeting", problems = 404)
    public void delete(@PathParam String name) {
        if (custom.remove(name) == null) {
            throw Problem.notFound("no custom greeting for " + name);
        }
    }
}
