package dev.chassis.testing;

import java.net.URI;
import java.util.Objects;
import java.util.function.Supplier;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;

/**
 * A JUnit 5 extension that starts a Chassis service on a free port for a test class and stops it after:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final TestService service = TestService.of(() -> Chassis.service("hello").http(new HelloApi()));
 *
 * @Test
 * void greets() {
 *     assertThat(service.client().get("/hello/ada").json().get("message").asText()).isEqualTo("Hello, Ada");
 * }
 * }</pre>
 *
 * <p>In a {@code static} field the service lives for the whole class; in an instance field, for each
 * test. The service listens on a real socket ({@code server.port=0}) and the client talks HTTP to it.
 */
public final class TestService implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private final Supplier<ServiceBuilder> builder;
    private RunningService running;
    private boolean perClass;
    private TestClient client;
    private TestClient managementClient;

    private TestService(Supplier<ServiceBuilder> builder) {
        this.builder = builder;
    }

    /** A service built by this supplier each time one is started; {@code server.port} is set to 0. */
    public static TestService of(Supplier<ServiceBuilder> builder) {
        return new TestService(Objects.requireNonNull(builder, "builder"));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) {
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            stop();
        }
    }

    /** Starts the service now, if not running (for tests that manage it by hand). */
    public synchronized RunningService start() {
        if (running == null) {
            running = builder.get().property("server.port", "0").start();
            client = new TestClient(running.uri());
            managementClient = running.managementUri().equals(running.uri()) ? client
                    : new TestClient(running.managementUri());
        }
        return running;
    }

    /** Stops the service gracefully, if running. */
    public synchronized void stop() {
        if (running != null) {
            running.stop();
            running = null;
            client = null;
            managementClient = null;
        }
    }

    /** The running service. */
    public synchronized RunningService running() {
        if (running == null) {
            throw new IllegalStateException("the service is not running: register TestService with @RegisterExtension");
        }
        return running;
    }

    /** The bound port. */
    public int port() {
        return running().port();
    }

    /** {@code http://localhost:<port>}. */
    public URI uri() {
        return running().uri();
    }

    /**
     * {@code http://localhost:<managementPort>}: where {@code /health/*}, {@code /metrics}, {@code /observe/*} and
     * {@code /info} are served; {@link #uri()} when the service has no {@code management.port}.
     */
    public URI managementUri() {
        return running().managementUri();
    }

    /** An HTTP/1.1 client for the management port ({@link #client()} when the service has no management port). */
    public synchronized TestClient managementClient() {
        running();
        return managementClient;
    }

    /** An HTTP/1.1 client for this service. */
    public synchronized TestClient client() {
        running();
        return client;
    }
}
