package dev.chassis.core.internal.server;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import dev.chassis.core.Json;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.http.BindingException;
import dev.chassis.core.internal.grpc.ChassisChannel;
import dev.chassis.core.internal.grpc.GrpcServices;
import dev.chassis.core.internal.http.client.ClientTarget;
import dev.chassis.core.internal.http.server.EndpointBinder;
import dev.chassis.core.internal.http.server.ErrorResponder;
import dev.chassis.core.internal.http.server.IdempotentRequests;
import dev.chassis.core.internal.overload.CallLimiter;
import dev.chassis.core.internal.overload.ConcurrencyLimitFilter;
import dev.chassis.core.internal.overload.ConcurrencyLimits;
import dev.chassis.core.internal.transport.FilterSequence;
import dev.chassis.core.internal.transport.ForwardedFilter;
import dev.chassis.core.internal.transport.InFlight;
import dev.chassis.core.internal.transport.LifecycleFilter;
import dev.chassis.core.internal.transport.RequestDeadlines;
import dev.chassis.core.internal.transport.SecureConnections;
import dev.chassis.core.internal.transport.TrustedProxies;
import dev.chassis.core.internal.http.server.Route;
import dev.chassis.core.internal.http.server.RouteFallback;
import dev.chassis.core.internal.telemetry.GrpcTelemetry;
import dev.chassis.core.internal.telemetry.HttpServerTelemetry;
import dev.chassis.core.internal.telemetry.Telemetry;
import dev.chassis.core.internal.tls.TargetTls;
import dev.chassis.core.internal.tls.TlsBundles;
import dev.chassis.core.internal.validation.Validation;
import dev.chassis.core.spi.AccessPolicy;
import dev.chassis.core.spi.HttpOperation;
import dev.chassis.core.spi.IdempotencyStore;
import dev.chassis.core.spi.ServiceApi;
import io.grpc.ServiceDescriptor;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.ClientInterceptor;
import io.helidon.webserver.grpc.GrpcRouting;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.HttpRouting;

/**
 * Phase 3, bind and validate: turns what was registered into routes, clients, channels and components, then runs
 * the extensions' {@code onBound} checks — all before the port opens, so that any misuse stops start-up with
 * nothing listening. Resources opened here (clients, channels) are closed by the stopped hooks it adds. Not API.
 *
 * @param http           the HTTP routing of the service port
 * @param management     the HTTP routing of the management port, or null when {@code management.port} is unset (the
 *                       management routes are then in {@code http})
 * @param grpc           the gRPC routing, or null when the service serves no gRPC
 * @param managementGrpc the gRPC routing reflection describes on the management port, or null when reflection is
 *                       served on the service port, or not at all
 * @param inFlight       the requests and calls in flight, HTTP and gRPC alike, on both ports, for the drain
 */
record Binding(HttpRouting.Builder http, HttpRouting.Builder management, GrpcRouting.Builder grpc,
               GrpcRouting.Builder managementGrpc, InFlight inFlight) {

    static Binding run(ServiceSpec spec, Startup startup, Registration registration, TlsBundles tls) {
        Assembly assembly = registration.assembly();
        Telemetry telemetry = registration.telemetry();
        Config config = startup.config();
        if (!assembly.untaken().isEmpty()) {
            throw new BindingException("message handlers were given to consume(...) (" + spec.consumers().get(0)
                    .getClass().getName() + (spec.consumers().size() > 1 ? ", ..." : "") + ") but no extension on the"
                    + " class path binds them. Fix: add the module that binds @Consume handlers (docs/messaging.md),"
                    + " or enable it (chassis.extensions.<name>.enabled)");
        }
        bindComponents(spec, assembly);

        boolean separate = config.find(CoreSettings.MANAGEMENT_PORT).isPresent();
        // the access policy guards the service's own handlers; management endpoints answer to the management port
        EndpointBinder binder = endpointBinder(startup, assembly, assembly.accessPolicy);
        EndpointBinder managementBinder = endpointBinder(startup, assembly, null);
        List<Route> serviceRoutes = bind(binder, assembly.routes, assembly.endpoints);
        List<Route> ownRoutes = bind(managementBinder, assembly.managementRoutes, assembly.managementEndpoints);
        List<Route> routes = checked(separate ? serviceRoutes : concat(serviceRoutes, ownRoutes));
        List<Route> managementRoutes = separate ? checked(ownRoutes) : null;
        List<ClientTarget> targets = Clients.bind(spec.clients(), config, assembly.resolvers, assembly.decorators,
                telemetry, tls);
        assembly.stopped.add(() -> targets.forEach(ClientTarget::close));
        for (ChassisChannel channel : spec.grpcChannels()) {
            if (!Clients.known(channel.target(), config, assembly.resolvers)) {
                throw new ConfigException(List.of("the gRPC channel to '" + channel.target() + "' has nowhere to go: "
                        + Clients.nowhere(channel.target(), config, assembly.resolvers)));
            }
            channel.connect(Clients.resolver(config, assembly.resolvers),
                    config.get(CoreSettings.CLIENT_REQUEST_TIMEOUT.resolve(channel.target())),
                    config.get(CoreSettings.CLIENT_RESOLVE_INTERVAL.resolve(channel.target())),
                    clientInterceptors(telemetry, channel.target(), assembly.clientInterceptors),
                    TargetTls.of(config, tls, channel.target()).orElse(null),
                    config.find(CoreSettings.CLIENT_URL.resolve(channel.target())).orElse(List.of()).stream()
                            .anyMatch(u -> "https".equals(u.getScheme())));
            assembly.stopped.add(channel::close);
        }

        // health probes and scrapes on the service port are never shed
        ConcurrencyLimits limits = ConcurrencyLimits.of(config, telemetry.openTelemetry(),
                separate ? List.of() : ownRoutes.stream().map(Route::path).toList(), System::nanoTime);
        InFlight inFlight = new InFlight();
        SecureConnections secure = new SecureConnections();
        HttpRouting.Builder http = HttpRouting.builder();
        List<Filter> own = new ArrayList<>();
        own.add(new LifecycleFilter(inFlight));
        TrustedProxies proxies = TrustedProxies.of(CoreSettings.TRUSTED_PROXIES.key(), config.get(CoreSettings.TRUSTED_PROXIES));
        if (!proxies.none()) {
            // before the span and the handlers, which read the origin
            own.add(new ForwardedFilter(proxies,
                    config.get(CoreSettings.TRUSTED_PROXY_HEADERS) == CoreSettings.ForwardedHeaders.FORWARDED));
        }
        ErrorResponder errors = new ErrorResponder(spec.mappers());
        if (telemetry.enabled()) {
            own.add(new HttpServerTelemetry(telemetry, errors, !proxies.none()));
        }
        if (limits != null) {
            own.add(new ConcurrencyLimitFilter(limits));
        }
        own.add(new RequestDeadlines(config.get(CoreSettings.REQUEST_TIMEOUT), config.get(CoreSettings.BODY_TIMEOUT)));
        http.addFilter(new FilterSequence(own));
        assembly.filters.forEach(http::addFilter);
        if (!separate) {
            assembly.managementFilters.forEach(http::addFilter);
        }
        addRoutes(http, routes, separate ? List.of() : ownRoutes);
        spec.routing().forEach(c -> c.accept(http));
        http.any(new RouteFallback(routes));
        http.error(Throwable.class, errors);

        // the management port: Chassis' lifecycle (drain, Connection: close) and error answers, but no request spans
        // or metrics — probes and scrapes are not the service's traffic — and only the management filters
        HttpRouting.Builder management = null;
        if (separate) {
            management = HttpRouting.builder();
            management.addFilter(new LifecycleFilter(inFlight));
            assembly.managementFilters.forEach(management::addFilter);
            addRoutes(management, managementRoutes, List.of());
            management.any(new RouteFallback(managementRoutes));
            management.error(Throwable.class, errors);
        }

        GrpcRouting.Builder grpc = startup.grpc() ? GrpcServices.routing(spec.grpcServices(), registration.health(),
                config.get(CoreSettings.HEALTH_WATCH_INTERVAL), config.get(CoreSettings.HEALTH_MAX_WATCHERS),
                config.get(CoreSettings.HEALTH_MAX_WATCHERS_PER_CONNECTION), config.get(CoreSettings.GRPC_DEFAULT_TIMEOUT),
                config.get(CoreSettings.GRPC_MAX_TIMEOUT),
                assembly.serverInterceptors, assembly.accessPolicy, inFlight,
                assembly.stopping::add, telemetry, Validation.detected(), secure, proxies,
                config.get(CoreSettings.TRUSTED_PROXY_HEADERS) == CoreSettings.ForwardedHeaders.FORWARDED) : null;
        if (grpc != null && limits != null) {
            grpc.intercept(150, new CallLimiter(limits)); // inside Chassis' guard (200), before the extensions' (100)
        }
        GrpcRouting.Builder managementGrpc = grpc != null && separate && config.get(CoreSettings.GRPC_REFLECTION)
                ? GrpcServices.described(spec.grpcServices()) : null;
        ServiceApi api = described(binder, spec, startup.grpc());
        assembly.described.forEach(hook -> hook.accept(api));
        // the protocols are listed beside the phases so far; a failure to list them stops start-up before the bound
        // hooks, whose last steps (database migrations) change what outlives a failed start
        registration.awaitProtocols();
        assembly.bound.forEach(Runnable::run);
        return new Binding(http, management, grpc, managementGrpc, inFlight);
    }

    /** What the service port serves, for the extensions that describe it. */
    private static ServiceApi described(EndpointBinder binder, ServiceSpec spec, boolean grpc) {
        List<HttpOperation> operations = new ArrayList<>(binder.operations());
        operations.sort(Comparator.comparing(HttpOperation::path).thenComparing(HttpOperation::method));
        List<ServiceDescriptor> services = new ArrayList<>();
        if (grpc) {
            spec.grpcServices().forEach(s -> services.add(s.bindService().getServiceDescriptor()));
            services.add(HealthGrpc.getServiceDescriptor());
        }
        return new ServiceApi(operations, services);
    }

    /**
     * Routes without variables first — the service's own before the management routes sharing its port, which only
     * probes and scrapes ask for — then the most specific first ({@code /orders/search} before {@code /orders/{id}}).
     * Helidon tries routes in order; a path a literal route matches can be matched by no other literal route, nor by
     * a template route more specific than it (one of the same length has fewer literal segments), so this order
     * changes no answer — and spares a request for a literal route the comparisons with the management routes and
     * the regular expressions of the template routes before it reaches its own.
     */
    private static void addRoutes(HttpRouting.Builder http, List<Route> routes, List<Route> management) {
        Set<Route> rare = Collections.newSetFromMap(new IdentityHashMap<>());
        rare.addAll(management);
        routes.stream()
                .sorted(Comparator.comparing((Route r) -> !r.template().variables().isEmpty())
                        .thenComparing(r -> r.template().variables().isEmpty() && rare.contains(r))
                        .thenComparing(Comparator.comparingInt(Route::specificity).reversed()))
                .forEach(r -> http.route(r.method(), r.path(), r.handler()));
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
        List<T> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /** Gives every component asked for (by the application or an extension) its provided instance. */
    private static void bindComponents(ServiceSpec spec, Assembly assembly) {
        List<ComponentSlot<?>> slots = new ArrayList<>(spec.components());
        slots.addAll(assembly.required);
        for (ComponentSlot<?> slot : slots) {
            Object instance = assembly.provided(slot.type()).orElseThrow(() -> new BindingException(
                    slot.type().getName() + " is needed but nothing on the class path provides it: " + slot.missing()));
            slot.bind(instance);
        }
    }

    /**
     * Binds annotated endpoints with every decorator, the idempotency store when one is provided, and the access
     * policy ({@code null}: everyone may call).
     */
    private static EndpointBinder endpointBinder(Startup startup, Assembly assembly, AccessPolicy access) {
        long buffer = startup.config().get(CoreSettings.IDEMPOTENCY_BUFFER);
        long maxAnswer = startup.config().get(CoreSettings.IDEMPOTENCY_MAX_ANSWER);
        IdempotentRequests idempotent = assembly.provided(IdempotencyStore.class)
                .map(store -> new IdempotentRequests(store, buffer > 0 ? buffer : Runtime.getRuntime().maxMemory() / 4,
                        maxAnswer, startup.config().get(CoreSettings.MAX_BODY)))
                .orElse(null);
        return new EndpointBinder(Json.mapper(), startup.info().name(), assembly.decorators, idempotent, access);
    }

    /** The annotated endpoints, bound, and the plain routes. */
    private static List<Route> bind(EndpointBinder binder, List<Route> plain, List<Object> endpoints) {
        List<Route> routes = new ArrayList<>(plain);
        endpoints.forEach(e -> routes.addAll(binder.bind(e)));
        return routes;
    }

    /** The routes of one port: duplicates refused, HEAD added. */
    private static List<Route> checked(List<Route> routes) {
        EndpointBinder.checkDuplicates(routes);
        return EndpointBinder.withHeadRoutes(routes);
    }

    /** A channel's interceptors: its client spans outermost, when telemetry is on, then the extensions'. */
    private static List<ClientInterceptor> clientInterceptors(Telemetry telemetry, String target,
                                                              List<ClientInterceptor> hooks) {
        if (!telemetry.enabled()) {
            return hooks;
        }
        List<ClientInterceptor> all = new ArrayList<>();
        all.add(new GrpcTelemetry(telemetry).clientInterceptor(target));
        all.addAll(hooks);
        return all;
    }
}
