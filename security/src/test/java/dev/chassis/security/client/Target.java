package dev.chassis.security.client;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;

/**
 * The service a test calls: a real Chassis service that records the {@code Authorization} header of every request
 * and answers each with the next status of its script (200 when it is empty). It does not verify tokens (the
 * server side of {@code chassis-security} does); a scripted 401 stands for a refused one.
 */
final class Target implements AutoCloseable {
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final Queue<Integer> script = new ConcurrentLinkedQueue<>();
    private final RunningService service;

    Target() {
        service = Chassis.service("items").property("server.port", "0")
                .routing(rules -> rules.any("/items/{id}", (req, res) -> {
                    authorizations.add(req.headers().first(HeaderNames.AUTHORIZATION).orElse("none"));
                    Integer s = script.poll();
                    int status = s != null ? s : 200;
                    res.status(Status.create(status));
                    if (status == 200) {
                        res.header("Content-Type", "application/json");
                        res.send("{\"id\":\"" + req.path().pathParameters().get("id") + "\"}");
                    } else {
                        res.header("Content-Type", "application/problem+json");
                        res.send("{\"type\":\"about:blank\",\"status\":" + status + ",\"title\":\"scripted\"}");
                    }
                }))
                .start();
    }

    String url() {
        return service.uri().toString();
    }

    @Override
    public void close() {
        service.stop();
    }
}
