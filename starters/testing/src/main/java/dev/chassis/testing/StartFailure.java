package dev.chassis.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Objects;

import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;

/**
 * Shows that a service refuses to start <em>before its port is bound</em>: the service is started on a port this
 * class holds open, so a start-up that got as far as binding would fail with "cannot listen on ..." instead of the
 * error the test expects. Use it for configuration and binding errors:
 *
 * <pre>{@code
 * RuntimeException e = StartFailure.of(Chassis.service("orders").property("handlers.nope.get.retry.max-attempts", "2"));
 * assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("handlers.nope.get");
 * }</pre>
 */
public final class StartFailure {
    private StartFailure() {
    }

    /**
     * Starts the service on a port that is already taken and returns what {@code start()} threw.
     *
     * @throws AssertionError when the service started, or failed because the port was taken (it got as far as
     *                        binding: the error came too late)
     */
    public static RuntimeException of(ServiceBuilder service) {
        Objects.requireNonNull(service, "service");
        try (ServerSocket taken = new ServerSocket(0)) {
            service.property("server.port", Integer.toString(taken.getLocalPort()));
            RunningService running;
            try {
                running = service.start();
            } catch (RuntimeException e) {
                if (String.valueOf(e.getMessage()).startsWith("cannot listen on")) {
                    throw new AssertionError("the service got as far as binding its port before failing", e);
                }
                return e;
            }
            running.stop();
            throw new AssertionError("the service started; it was expected to refuse to");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
