package dev.chassis.tests.overload;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.stream.Collectors;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;

/**
 * For {@link PlatformPollersTest}, in a fresh JVM: starts a service, serves one request (which makes the JDK start its
 * pollers), then prints {@code MODE <jdk.pollerMode>} and {@code POLLERS <names of the platform threads that poll>}.
 * Arguments are {@code key=value} properties of the service.
 */
public final class PollersMain {
    private PollersMain() {
    }

    /** A route to ask. */
    @Path("/ping")
    public static final class Ping {
        @Get
        public String ping() {
            return "pong";
        }
    }

    public static void main(String[] args) throws Exception {
        var builder = Chassis.service("pollers").http(new Ping()).property("server.port", "0");
        for (String a : args) {
            builder.property(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        RunningService service = builder.start();
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(service.uri() + "/ping")).build(),
                    HttpResponse.BodyHandlers.ofString());
            System.out.println("STATUS " + r.statusCode());
        }
        System.out.println("MODE " + System.getProperty("jdk.pollerMode"));
        System.out.println("POLLERS " + Thread.getAllStackTraces().keySet().stream().filter(t -> !t.isVirtual())
                .map(Thread::getName).filter(n -> n.contains("Poller")).sorted().collect(Collectors.joining(",")));
        service.stop();
    }
}
