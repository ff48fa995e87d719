package ${package};

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.chassis.messaging.Consume;

/** The message handler: consumes {@code greetings.sent} (retries, dead letters and tracing come with it). */
public final class GreetingEvents {
    private final List<GreetingApi.GreetingSent> received = new CopyOnWriteArrayList<>();

    @Consume(topic = "greetings.sent", group = "${serviceName}")
    public void on(GreetingApi.GreetingSent event) {
        received.add(event);
    }

    /** What it consumed so far. */
    public List<GreetingApi.GreetingSent> received() {
        return List.copyOf(received);
    }
}
