package dev.chassis.core.internal.server;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Config;
import dev.chassis.core.health.HealthCheck;
import dev.chassis.core.health.HealthChecks;
import dev.chassis.core.internal.http.EndpointBinder;
import dev.chassis.core.internal.http.Route;
import dev.chassis.core.spi.CallDecorator;
import dev.chassis.core.spi.ChassisExtension;
import dev.chassis.core.spi.ExtensionContext;
import dev.chassis.core.spi.TargetResolver;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.Handler;

/**
 * Collects what the application and the extensions register before the server starts. Endpoints are
 * bound only once every extension has registered, so that all decorators apply to all handlers.
 * Not API.
 */
final class Registrations {
    private final ServiceInfo info;
    private final Config config;
    private final HealthRegistry health;
    private final java.time.Clock clock;
    private final List<Object> endpoints = new ArrayList<>();
    private final List<Route> plainRoutes = new ArrayList<>();
    private final List<Filter> filters = new ArrayList<>();
    private final List<CallDecorator> decorators = new ArrayList<>();
    private final List<TargetResolver> resolvers = new ArrayList<>();
    private final List<io.grpc.ServerInterceptor> grpcServerInterceptors = new ArrayList<>();
    private final List<io.grpc.ClientInterceptor> grpcClientInterceptors = new ArrayList<>();
    private final List<Consumer<RunningService>> started = new ArrayList<>();
    private final List<Runnable> stopping = new ArrayList<>();
    private final List<Runnable> stopped = new ArrayList<>();
    private final java.util.Map<Class<?>, Object> provided = new java.util.HashMap<>();
    private final List<ComponentSlot<?>> wanted = new ArrayList<>();
    private dev.chassis.core.spi.IdempotencyStore idempotencyStore;
    private List<Object> consumers = List.of();
    private boolean consumersTaken;

    private final dev.chassis.core.internal.telemetry.Telemetry telemetry;

    Registrations(ServiceInfo info, Config config, HealthRegistry health, java.time.Clock clock,
                  dev.chassis.core.internal.telemetry.Telemetry telemetry) {
        this.telemetry = telemetry;
        this.info = info;
        this.config = config;
        this.health = health;
        this.clock = clock;
    }

    void consumers(List<Object> handlers) {
        this.consumers = List.copyOf(handlers);
    }

    boolean consumersTaken() {
        return consumersTaken;
    }

    /** Components extensions asked for, bound with the builder's. */
    List<ComponentSlot<?>> wanted() {
        return wanted;
    }

    /** The store of Idempotency-Key answers an extension registered, or null. */
    dev.chassis.core.spi.IdempotencyStore idempotencyStore() {
        return idempotencyStore;
    }

    /** What extensions provided, by type. */
    java.util.Map<Class<?>, Object> provided() {
        return provided;
    }

    void http(Object endpoint) {
        endpoints.add(endpoint);
    }

    void healthCheck(HealthCheck check) {
        health.add(check);
    }

    void registerExtension(ChassisExtension extension) {
        extension.register(new ExtensionContext() {
            @Override
            public ServiceInfo service() {
                return info;
            }

            @Override
            public Config config() {
                return config;
            }

            @Override
            public List<Object> takeConsumers() {
                consumersTaken = true;
                return consumers;
            }

            @Override
            public <T> void provide(Class<T> type, T instance) {
                if (provided.putIfAbsent(type, java.util.Objects.requireNonNull(instance, "instance")) != null) {
                    throw new IllegalStateException(type.getName() + " is provided twice (extension " + extension.name()
                            + " and another)");
                }
            }

            @Override
            public <T> T component(Class<T> type) {
                ComponentSlot<T> slot = new ComponentSlot<>(type);
                wanted.add(slot);
                return slot.proxy();
            }

            @Override
            public void idempotencyStore(dev.chassis.core.spi.IdempotencyStore store) {
                if (idempotencyStore != null) {
                    throw new IllegalStateException("two extensions register an Idempotency-Key store (" + extension.name()
                            + " and another): enable one");
                }
                idempotencyStore = java.util.Objects.requireNonNull(store, "store");
            }

            @Override
            public io.opentelemetry.api.OpenTelemetry openTelemetry() {
                return telemetry.openTelemetry();
            }

            @Override
            public java.time.Clock clock() {
                return clock;
            }

            @Override
            public void http(Object endpoint) {
                Registrations.this.http(endpoint);
            }

            @Override
            public void route(Method method, String path, Handler handler) {
                plainRoutes.add(Route.of(method, path, handler, "extension " + extension.name()));
            }

            @Override
            public void filter(Filter filter) {
                filters.add(filter);
            }

            @Override
            public void decorator(CallDecorator decorator) {
                decorators.add(decorator);
            }

            @Override
            public void grpcServerInterceptor(io.grpc.ServerInterceptor interceptor) {
                grpcServerInterceptors.add(interceptor);
            }

            @Override
            public void grpcClientInterceptor(io.grpc.ClientInterceptor interceptor) {
                grpcClientInterceptors.add(interceptor);
            }

            @Override
            public void targetResolver(TargetResolver resolver) {
                resolvers.add(resolver);
            }

            @Override
            public void healthCheck(HealthCheck check) {
                health.add(check);
            }

            @Override
            public HealthChecks health() {
                return health;
            }

            @Override
            public void onStarted(Consumer<RunningService> hook) {
                started.add(hook);
            }

            @Override
            public void onStopping(Runnable hook) {
                stopping.add(hook);
            }

            @Override
            public void onStopped(Runnable hook) {
                stopped.add(hook);
            }
        });
    }

    /** Binds the annotated endpoints (with every decorator) and returns them with the plain routes. */
    List<Route> bindRoutes(EndpointBinder binder) {
        List<Route> routes = new ArrayList<>(plainRoutes);
        endpoints.forEach(e -> routes.addAll(binder.bind(e)));
        return routes;
    }

    List<CallDecorator> decorators() {
        return decorators;
    }

    List<io.grpc.ServerInterceptor> grpcServerInterceptors() {
        return grpcServerInterceptors;
    }

    List<io.grpc.ClientInterceptor> grpcClientInterceptors() {
        return grpcClientInterceptors;
    }

    List<TargetResolver> resolvers() {
        return resolvers;
    }

    List<Filter> filters() {
        return filters;
    }

    List<Consumer<RunningService>> started() {
        return started;
    }

    List<Runnable> stopping() {
        return stopping;
    }

    List<Runnable> stopped() {
        return stopped;
    }
}
