package dev.chassis.core.internal.http.server;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.chassis.core.Problem;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.PathMatcher;
import io.helidon.http.PathMatchers;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Registered last: a request no route took. When the path exists under other methods it answers
 * 405 with {@code Allow} (or, for {@code OPTIONS}, 204 with {@code Allow}); otherwise 404. Not API.
 */
public final class RouteFallback implements Handler {
    private record Entry(Method method, PathMatcher matcher) {
    }

    private final List<Entry> entries;

    public RouteFallback(List<Route> routes) {
        this.entries = routes.stream().map(r -> new Entry(r.method(), PathMatchers.create(r.path()))).toList();
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        Set<String> allowed = new LinkedHashSet<>();
        for (Entry e : entries) {
            if (e.matcher().match(req.path()).accepted()) {
                allowed.add(e.method().text());
            }
        }
        if (allowed.isEmpty()) {
            throw Problem.notFound("no route for " + req.prologue().method().text() + " " + req.path().path());
        }
        allowed.add("OPTIONS");
        String allow = String.join(", ", allowed);
        if (req.prologue().method().equals(Method.OPTIONS)) {
            res.status(Status.NO_CONTENT_204);
            res.header(HeaderNames.ALLOW, allow);
            res.send();
            return;
        }
        throw Problem.builder(405)
                .detail(req.prologue().method().text() + " is not allowed on " + req.path().path() + "; allowed: " + allow)
                .header("Allow", allow)
                .build();
    }
}
