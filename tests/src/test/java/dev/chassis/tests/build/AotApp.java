package dev.chassis.tests.build;

import java.util.Map;

import dev.chassis.core.Chassis;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;

/** A service for {@link AotCacheTest}: {@code GET /aot}, on {@code server.port}; run in its own JVM from a jar. */
public final class AotApp {
    private AotApp() {
    }

    /** The one route. */
    @Path("/aot")
    public static final class Hello {
        /** {@code GET /aot}. */
        @Get
        public Map<String, String> hello() {
            return Map.of("message", "hello");
        }
    }

    /**
     * Starts the service; the server's threads keep the JVM alive until SIGTERM.
     *
     * @param args none
     */
    public static void main(String[] args) {
        Chassis.service("aot-app").http(new Hello()).start();
    }
}
