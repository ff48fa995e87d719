package bench.micronaut;

import io.micronaut.runtime.Micronaut;

/**
 * The Micronaut peer of {@code AppBenchServer} (bench-app.sh with {@code PEERS=1}): the main class
 * {@code mn create-app} generates. The port comes from {@code -Dmicronaut.server.port}.
 */
public final class Application {
    private Application() {
    }

    /**
     * Starts the application context and its Netty server.
     *
     * @param args command-line arguments, passed to Micronaut
     */
    public static void main(String[] args) {
        Micronaut.run(Application.class, args);
    }
}
