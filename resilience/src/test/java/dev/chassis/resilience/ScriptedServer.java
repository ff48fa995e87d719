package dev.chassis.resilience;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import io.helidon.http.Status;

/**
 * A real server on a free port whose answers the test scripts: each request takes the next status from
 * the script (200 when it is empty, or {@code defaultStatus}), and every request is counted.
 */
final class ScriptedServer implements AutoCloseable {
    final AtomicInteger requests = new AtomicInteger();
    final Queue<Integer> script = new ConcurrentLinkedQueue<>();
    volatile int defaultStatus = 200;
    private final RunningService service;

    ScriptedServer(String name) {
        service = Chassis.service(name).property("server.port", "0")
                .property("chassis.extensions.resilience.enabled", "false")
                .routing(rules -> rules.any("/items/{id}", (req, res) -> {
                    requests.incrementAndGet();
                    Integer s = script.poll();
                    int status = s != null ? s : defaultStatus;
                    res.status(Status.create(status));
                    if (status == 200) {
                        res.header("Content-Type", "application/json");
                        res.send("{\"id\":\"" + req.path().pathParameters().get("id") + "\",\"from\":\"" + name + "\"}");
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
