package dev.chassis.core.spi;

import java.util.function.Consumer;

import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Config;
import dev.chassis.core.health.HealthCheck;
import dev.chassis.core.health.HealthChecks;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.Handler;

/**
 * What an extension may add to the service being built. Valid only during
 * {@link ChassisExtension#register(ExtensionContext)}; not thread-safe.
 */
public interface ExtensionContext {
    /** The service's identity. */
    ServiceInfo service();

    /** The validated configuration. */
    Config config();

    /** The service's clock: the system clock, or the one a test set with {@code ServiceBuilder.clock(...)}. */
    java.time.Clock clock();

    /**
     * The service's OpenTelemetry: the SDK an extension brings (see {@link ChassisExtension#openTelemetry}), else
     * {@link io.opentelemetry.api.OpenTelemetry#noop()}. Extensions record their metrics and spans with it.
     */
    io.opentelemetry.api.OpenTelemetry openTelemetry();

    /** Adds annotated endpoints, exactly as {@code Chassis.service(...).http(endpoint)} does. */
    void http(Object endpoint);

    /** Adds a plain Helidon handler for a method and path; it takes part in 404/405/OPTIONS answers. */
    void route(Method method, String path, Handler handler);

    /** Adds a filter that runs on every request, after Chassis' own, in registration order. */
    void filter(Filter filter);

    /**
     * Wraps every handler and client method of the service (resilience policies, tracing...). Decorators
     * apply in registration order, the first one outermost.
     */
    void decorator(CallDecorator decorator);

    /** Adds an interceptor to every gRPC service of the service (tracing, metrics, policies...). */
    void grpcServerInterceptor(io.grpc.ServerInterceptor interceptor);

    /** Adds an interceptor to every gRPC channel the service opens. */
    void grpcClientInterceptor(io.grpc.ClientInterceptor interceptor);

    /** Adds a way to find the instances of logical client targets (discovery back-ends). */
    void targetResolver(TargetResolver resolver);

    /**
     * Takes the message handlers given to {@code ServiceBuilder.consume(...)}, to bind them. One extension takes
     * them (the messaging module); when handlers were given and none takes them, start-up fails.
     */
    java.util.List<Object> takeConsumers();

    /**
     * Provides the instance behind {@code ServiceBuilder.component(type)} for this service (a publisher, ...).
     * Asked-for types nobody provides fail start-up; providing a type twice is an error.
     */
    <T> void provide(Class<T> type, T instance);

    /**
     * A component another extension provides ({@link #provide}), e.g. messaging's {@code EventSender} for the
     * outbox relay: a proxy, usable once the service has started. A type nobody provides fails start-up.
     */
    <T> T component(Class<T> type);

    /**
     * Makes {@code Idempotency-Key} (STANDARD §2) work on the service's POST and PATCH handlers, with answers
     * kept in {@code store}. At most one extension registers one.
     */
    void idempotencyStore(IdempotencyStore store);

    /** Adds a health check. */
    void healthCheck(HealthCheck check);

    /** The service's health checks, to serve them (HTTP, gRPC health, ...). */
    HealthChecks health();

    /** Runs after the server has started and is ready. */
    void onStarted(Consumer<RunningService> hook);

    /** Runs first thing on graceful shutdown, right after readiness turns DOWN (deregistration, ...). */
    void onStopping(Runnable hook);

    /** Runs after the port has closed (release resources). */
    void onStopped(Runnable hook);
}
