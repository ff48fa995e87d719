package dev.chassis.core.internal.server;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.Setting;
import dev.chassis.core.health.HealthCheck;
import dev.chassis.core.health.HealthChecks;
import dev.chassis.core.http.BindingException;
import dev.chassis.core.internal.config.LayeredConfig;
import dev.chassis.core.internal.http.server.Route;
import dev.chassis.core.internal.tls.TlsBundles;
import dev.chassis.core.spi.AccessPolicy;
import dev.chassis.core.spi.CallDecorator;
import dev.chassis.core.spi.ChassisExtension;
import dev.chassis.core.spi.ClientTls;
import dev.chassis.core.spi.ExtensionContext;
import dev.chassis.core.spi.ServiceApi;
import dev.chassis.core.spi.TargetResolver;
import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.Handler;
import io.opentelemetry.api.OpenTelemetry;

/**
 * The register phase: what the application and the extensions add to a service before anything is bound. Each
 * extension gets its own {@link ExtensionContext} whose small typed contexts all write here; the bind phase reads
 * it. Used on the starting thread only. Not API.
 */
final class Assembly {
    final List<Object> endpoints = new ArrayList<>();
    final List<Route> routes = new ArrayList<>();
    final List<Filter> filters = new ArrayList<>();
    final List<Object> managementEndpoints = new ArrayList<>();
    final List<Route> managementRoutes = new ArrayList<>();
    final List<Filter> managementFilters = new ArrayList<>();
    final List<CallDecorator> decorators = new ArrayList<>();
    final List<TargetResolver> resolvers = new ArrayList<>();
    /** Who may call what; null when no extension set a policy (everyone may). */
    AccessPolicy accessPolicy;
    private String accessPolicyBy;
    final List<ServerInterceptor> serverInterceptors = new ArrayList<>();
    final List<ClientInterceptor> clientInterceptors = new ArrayList<>();
    final List<Runnable> bound = new ArrayList<>();
    final List<Consumer<ServiceApi>> described = new ArrayList<>();
    final List<Consumer<RunningService>> started = new ArrayList<>();
    final List<Runnable> stopping = new ArrayList<>();
    final List<Runnable> stopped = new ArrayList<>();
    final List<ComponentSlot<?>> required = new ArrayList<>();
    /** The development-only choices the extensions declared, for production mode. */
    final List<ProductionMode.Choice> developmentOnly = new ArrayList<>();
    /** The extensions' parts of a graceful shutdown, for the grace period. */
    final List<ShutdownBudget.Part> shutdownParts = new ArrayList<>();
    private final Map<Class<?>, Provided> provided = new LinkedHashMap<>();
    private final ServiceInfo info;
    private final Config config;
    private final HealthRegistry health;
    private final Clock clock;
    private final OpenTelemetry openTelemetry;
    private final TlsBundles tls;

    /** A provided component: who provided it and whether an extension took it (application ones must be). */
    private static final class Provided {
        final Object instance;
        final String by;
        boolean taken;

        Provided(Object instance, String by) {
            this.instance = instance;
            this.by = by;
        }
    }

    private boolean closed;

    /** Ends the register phase: from now on an extension's context refuses registrations. */
    void close() {
        closed = true;
    }

    /** Registrations after {@code register} would be silently ignored (or race the phases): refuse them. */
    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("an extension registered something after register(...) returned: the"
                    + " ExtensionContext is valid only during register; register hooks (lifecycle()) instead");
        }
    }

    Assembly(ServiceInfo info, Config config, HealthRegistry health, Clock clock, OpenTelemetry openTelemetry,
             TlsBundles tls) {
        this.info = info;
        this.tls = tls;
        this.config = config;
        this.health = health;
        this.clock = clock;
        this.openTelemetry = openTelemetry;
    }

    /** Provides a component; {@code by} names the provider in messages ({@code the application}, an extension). */
    <T> void provide(Class<T> type, T instance, String by) {
        Objects.requireNonNull(type, "type");
        Provided before = provided.putIfAbsent(type, new Provided(Objects.requireNonNull(instance, "instance"), by));
        if (before != null) {
            throw new BindingException(type.getName() + " is provided twice: by " + before.by + " and by " + by
                    + ". Fix: turn one of them off (chassis.extensions.<name>.enabled: false)");
        }
    }

    /** The instance provided for a type, if any. */
    <T> Optional<T> provided(Class<T> type) {
        return Optional.ofNullable(provided.get(type)).map(p -> type.cast(p.instance));
    }

    /** Components the application provided that no extension took: nothing would ever use them. */
    List<String> untaken() {
        return provided.entrySet().stream().filter(e -> e.getValue().by.equals(APPLICATION) && !e.getValue().taken)
                .map(e -> e.getKey().getSimpleName()).toList();
    }

    static final String APPLICATION = "the application";

    /** Runs one extension's registration with its own context. */
    void register(ChassisExtension extension) {
        extension.register(new Context("extension " + extension.name()));
    }

    /** The contexts one extension sees; {@code origin} names it in messages. */
    private final class Context implements ExtensionContext, ExtensionContext.Http, ExtensionContext.Calls,
            ExtensionContext.Grpc, ExtensionContext.Components, ExtensionContext.Checks, ExtensionContext.Lifecycle,
            ExtensionContext.Production {
        private final String origin;

        Context(String origin) {
            this.origin = origin;
        }

        @Override
        public ServiceInfo service() {
            return info;
        }

        @Override
        public Config config() {
            return config;
        }

        @Override
        public List<Setting<?>> settings() {
            return config instanceof LayeredConfig layered ? layered.declared() : List.of();
        }

        @Override
        public Clock clock() {
            return clock;
        }

        @Override
        public OpenTelemetry openTelemetry() {
            return openTelemetry;
        }

        @Override
        public Optional<ClientTls> tls(Setting<String> setting) {
            return tls.named(config, Objects.requireNonNull(setting, "setting")).map(ClientTls.class::cast);
        }

        @Override
        public Http http() {
            return this;
        }

        @Override
        public Calls calls() {
            return this;
        }

        @Override
        public Grpc grpc() {
            return this;
        }

        @Override
        public Components components() {
            return this;
        }

        @Override
        public Checks health() {
            return this;
        }

        @Override
        public Lifecycle lifecycle() {
            return this;
        }

        @Override
        public Production production() {
            return this;
        }

        @Override
        public boolean enabled() {
            return ProductionMode.enabled(config);
        }

        @Override
        public void refuseUnless(Setting<Boolean> allow, String what, String fix) {
            checkOpen();
            Objects.requireNonNull(allow, "allow");
            if (!allow.key().startsWith("production.allow.")) {
                throw new IllegalArgumentException("allow must be a setting under production.allow., but was "
                        + allow.key());
            }
            developmentOnly.add(new ProductionMode.Choice(allow, Objects.requireNonNull(what, "what"),
                    Objects.requireNonNull(fix, "fix"), origin));
        }

        @Override
        public void shutdownTakes(String name, Duration longest) {
            checkOpen();
            Objects.requireNonNull(name, "name");
            if (longest.isNegative()) {
                throw new IllegalArgumentException("longest must not be negative, but was " + longest);
            }
            shutdownParts.add(new ShutdownBudget.Part(name, longest));
        }

        @Override
        public void endpoint(Object endpoint) {
            checkOpen();
            endpoints.add(Objects.requireNonNull(endpoint, "endpoint"));
        }

        @Override
        public void route(Method method, String path, Handler handler) {
            checkOpen();
            routes.add(Route.of(method, path, handler, origin));
        }

        @Override
        public void filter(Filter filter) {
            checkOpen();
            filters.add(Objects.requireNonNull(filter, "filter"));
        }

        @Override
        public Http management() {
            return management;
        }

        /** The management routes: kept apart so that the bind phase can serve them on the management port. */
        private final Http management = new Http() {
            @Override
            public void endpoint(Object endpoint) {
                checkOpen();
                managementEndpoints.add(Objects.requireNonNull(endpoint, "endpoint"));
            }

            @Override
            public void route(Method method, String path, Handler handler) {
                checkOpen();
                managementRoutes.add(Route.of(method, path, handler, origin));
            }

            @Override
            public void filter(Filter filter) {
                checkOpen();
                managementFilters.add(Objects.requireNonNull(filter, "filter"));
            }

            @Override
            public Http management() {
                return this;
            }
        };

        @Override
        public void decorator(CallDecorator decorator) {
            checkOpen();
            decorators.add(Objects.requireNonNull(decorator, "decorator"));
        }

        @Override
        public void targetResolver(TargetResolver resolver) {
            checkOpen();
            resolvers.add(Objects.requireNonNull(resolver, "resolver"));
        }

        @Override
        public TargetResolver resolver() {
            return target -> Clients.known(target, config, resolvers)
                    ? Optional.of(Clients.resolver(config, resolvers).apply(target)) : Optional.empty();
        }

        @Override
        public void accessPolicy(AccessPolicy policy) {
            checkOpen();
            Objects.requireNonNull(policy, "policy");
            if (accessPolicy != null) {
                throw new BindingException("two access policies are registered: by " + accessPolicyBy + " and by "
                        + origin + ". Fix: turn one of them off (chassis.extensions.<name>.enabled: false)");
            }
            accessPolicy = policy;
            accessPolicyBy = origin;
        }

        @Override
        public void serverInterceptor(ServerInterceptor interceptor) {
            checkOpen();
            serverInterceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
        }

        @Override
        public void clientInterceptor(ClientInterceptor interceptor) {
            checkOpen();
            clientInterceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
        }

        @Override
        public <T> void provide(Class<T> type, T instance) {
            checkOpen();
            Assembly.this.provide(type, instance, origin);
        }

        @Override
        public <T> T require(Class<T> type, String fix) {
            checkOpen();
            ComponentSlot<T> slot = new ComponentSlot<>(type, origin + " requires it. Fix: " + fix);
            required.add(slot);
            return slot.proxy();
        }

        @Override
        public <T> Optional<T> take(Class<T> type) {
            checkOpen();
            Provided p = provided.get(type);
            if (p == null) {
                return Optional.empty();
            }
            p.taken = true;
            return Optional.of(type.cast(p.instance));
        }

        @Override
        public void add(HealthCheck check) {
            checkOpen();
            health.add(check);
        }

        @Override
        public HealthChecks all() {
            return health;
        }

        @Override
        public void onBound(Runnable hook) {
            checkOpen();
            bound.add(Objects.requireNonNull(hook, "hook"));
        }

        @Override
        public void onDescribed(Consumer<ServiceApi> hook) {
            checkOpen();
            described.add(Objects.requireNonNull(hook, "hook"));
        }

        @Override
        public void onStarted(Consumer<RunningService> hook) {
            checkOpen();
            started.add(Objects.requireNonNull(hook, "hook"));
        }

        @Override
        public void onStopping(Runnable hook) {
            checkOpen();
            stopping.add(Objects.requireNonNull(hook, "hook"));
        }

        @Override
        public void onStopped(Runnable hook) {
            checkOpen();
            stopped.add(Objects.requireNonNull(hook, "hook"));
        }
    }
}
