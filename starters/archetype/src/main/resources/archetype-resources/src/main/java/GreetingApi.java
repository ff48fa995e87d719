package ${package};

import dev.chassis.core.Problem;
import dev.chassis.core.http.Body;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.core.http.Post;
import dev.chassis.core.http.Status;
import dev.chassis.messaging.EventType;
import dev.chassis.messaging.Publisher;
import dev.chassis.security.Scopes;

/** The HTTP handler: {@code GET /greetings/{name}}, and {@code POST /greetings} which also publishes an event. */
@Path("/greetings")
public final class GreetingApi {
    public record Greeting(String name, String message) {
    }

    public record NewGreeting(String name) {
    }

    /** The event {@code POST /greetings} publishes to {@code greetings.sent}. */
    @EventType("${package}.greeting.sent.v1")
    public record GreetingSent(String name, String message) {
    }

    private final Publisher publisher;

    GreetingApi(Publisher publisher) {
        this.publisher = publisher;
    }

    @Get("/{name}")
    public Greeting get(@PathParam String name) {
        if (name.length() > 40) {
            throw Problem.badRequest("a name has at most 40 characters");
        }
        return new Greeting(name, "Hello, " + name + "!");
    }

    // A POST needs a bearer token granting greetings:write: 401 without a token, 403 without the scope. Until an
    // issuer is configured (security.issuers in application.yaml) every POST gets 401 and start-up warns; production
    // mode refuses to start without one (application-production.yaml declares it).
    @Scopes("greetings:write")
    @Post
    @Status(201)
    public Greeting send(@Body NewGreeting request) {
        if (request.name() == null || request.name().isBlank()) {
            throw Problem.builder(400).detail("name is required").error("name", "is required").build();
        }
        Greeting greeting = get(request.name());
        publisher.publish("greetings.sent", greeting.name(), new GreetingSent(greeting.name(), greeting.message()));
        return greeting;
    }
}
