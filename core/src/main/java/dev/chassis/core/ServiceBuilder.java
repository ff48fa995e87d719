package dev.chassis.core;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.chassis.core.config.Setting;
import dev.chassis.core.health.HealthCheck;
import dev.chassis.core.http.Client;
import dev.chassis.core.internal.grpc.ChassisChannel;
import dev.chassis.core.internal.http.client.ClientBinder;
import dev.chassis.core.internal.server.ComponentSlot;
import dev.chassis.core.internal.server.ServiceRuntime;
import dev.chassis.core.internal.server.ServiceSpec;
import io.grpc.BindableService;
import io.grpc.Channel;
import io.helidon.webserver.http.HttpRules;

/**
 * Describes a service before it starts: its handlers, checks and exception mappings. Nothing runs
 * until {@link #start()}. Not thread-safe; use it from one thread, once.
 */
public final class ServiceBuilder {
    private final String name;
    private String version;
    private final List<Object> endpoints = new ArrayList<>();
    private final List<HealthCheck> checks = new ArrayList<>();
    private final Map<Class<? extends Throwable>, Function<Throwable, Problem>> mappers = new LinkedHashMap<>();
    private final Map<String, String> properties = new LinkedHashMap<>();
    private final List<Consumer<HttpRules>> routing = new ArrayList<>();
    private final List<Setting<?>> settings = new ArrayList<>();
    private final List<ServiceSpec.PendingClient> clients = new ArrayList<>();
    private final List<BindableService> grpcServices = new ArrayList<>();
    private final List<ChassisChannel> grpcChannels = new ArrayList<>();
    private final List<Object> consumers = new ArrayList<>();
    private final List<ComponentSlot<?>> components = new ArrayList<>();
    private Clock clock = Clock.systemUTC();

    ServiceBuilder(String name) {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
            throw new IllegalArgumentException("a service name is a DNS label (lower-case letters, digits and dashes,"
                    + " 1-63 characters, not starting or ending with a dash), but was '" + name + "'");
        }
        this.name = name;
    }

    /** The service version shown in {@code /info}; {@code service.version} in configuration overrides it. */
    public ServiceBuilder version(String version) {
        this.version = Objects.requireNonNull(version, "version");
        return this;
    }

    /** Adds objects whose annotated methods ({@code @Get}, {@code @Post}, ...) handle HTTP requests. */
    public ServiceBuilder http(Object... endpoints) {
        for (Object e : endpoints) {
            this.endpoints.add(Objects.requireNonNull(e, "endpoint"));
        }
        return this;
    }

    /**
     * Adds protobuf-generated gRPC service implementations ({@code extends FooGrpc.FooImplBase}), served
     * on the same port over HTTP/2. A {@link Problem} they throw (or pass to {@code onError}) answers the
     * mapped gRPC status; see {@link dev.chassis.core.grpc.GrpcStatuses}.
     */
    public ServiceBuilder grpc(BindableService... services) {
        for (BindableService s : services) {
            grpcServices.add(Objects.requireNonNull(s, "service"));
        }
        return this;
    }

    /**
     * A gRPC channel to a logical target ({@code grpc://inventory}) for generated stubs:
     * {@code InventoryGrpc.newBlockingStub(builder.grpcChannel("inventory"))}. It connects when the service
     * starts, to the instances that discovery or {@code clients.<target>.url} name; calls made inside a
     * handler inherit what is left of the handler's deadline, others get {@code clients.<target>.request-timeout}.
     */
    public Channel grpcChannel(String target) {
        Objects.requireNonNull(target, "target");
        if (!target.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
            throw new IllegalArgumentException("a client target is a DNS label, but was '" + target + "'");
        }
        ChassisChannel channel = new ChassisChannel(target);
        grpcChannels.add(channel);
        return channel;
    }

    /** Adds a health check. */
    public ServiceBuilder healthCheck(HealthCheck check) {
        checks.add(Objects.requireNonNull(check, "check"));
        return this;
    }

    /**
     * Maps an application exception to the problem the client receives; the most specific registered
     * type wins. Unmapped exceptions answer 500 without details.
     */
    @SuppressWarnings("unchecked")
    public <E extends Throwable> ServiceBuilder mapException(Class<E> type, Function<? super E, Problem> mapper) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(mapper, "mapper");
        mappers.put(type, t -> mapper.apply((E) t));
        return this;
    }

    /**
     * Sets a configuration value in code, above every other source (for tests and embedding):
     * {@code .property("server.port", "0")}.
     */
    public ServiceBuilder property(String key, String value) {
        properties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /** Declares the application's own configuration keys, so they are checked at start-up too. */
    public ServiceBuilder settings(Setting<?>... settings) {
        this.settings.addAll(List.of(settings));
        return this;
    }

    /**
     * Adds hand-written Helidon routes, for what annotations do not cover. They run inside Chassis'
     * filters and error handling.
     */
    public ServiceBuilder routing(Consumer<HttpRules> rules) {
        routing.add(Objects.requireNonNull(rules, "rules"));
        return this;
    }

    /**
     * A client of the target its {@link Client @Client} annotation names, to hand to handlers now; it is
     * bound (instances, timeouts, policies) when the service starts, and calls before that fail.
     *
     * @throws IllegalArgumentException when the interface has no {@code @Client} annotation
     */
    public <T> T client(Class<T> type) {
        Client client = Objects.requireNonNull(type, "type").getAnnotation(Client.class);
        if (client == null) {
            throw new IllegalArgumentException(type.getName() + " has no @Client annotation: annotate it with"
                    + " @Client(\"target\") or use client(type, \"target\")");
        }
        return client(type, client.value());
    }

    /** A client of the named target (see {@link #client(Class)}). */
    public <T> T client(Class<T> type, String target) {
        Objects.requireNonNull(target, "target");
        if (!target.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
            throw new IllegalArgumentException("a client target is a DNS label, but was '" + target + "'");
        }
        ClientBinder.Pending<T> pending = ClientBinder.pending(type);
        clients.add(new ServiceSpec.PendingClient(target, pending));
        return pending.proxy();
    }

    /**
     * Adds message handlers: objects with {@code @Consume} methods, bound at start by the messaging module
     * ({@code chassis-messaging}); without it on the class path, start-up fails.
     */
    public ServiceBuilder consume(Object... handlers) {
        for (Object h : handlers) {
            consumers.add(Objects.requireNonNull(h, "handler"));
        }
        return this;
    }

    /**
     * A component an extension provides (the messaging module's {@code Publisher}, ...), to hand to handlers now:
     * calls go to the provided instance once the service has started, and fail before. Start-up fails when no
     * extension on the class path provides the type.
     *
     * @throws IllegalArgumentException when {@code type} is not an interface
     */
    public <T> T component(Class<T> type) {
        for (ComponentSlot<?> slot : components) {
            if (slot.type() == type) {
                return type.cast(slot.proxy());
            }
        }
        ComponentSlot<T> slot = new ComponentSlot<>(type);
        components.add(slot);
        return slot.proxy();
    }

    /**
     * The clock that time-based policies read (circuit breaker waits, retry budgets); for tests that
     * must move time deterministically. Default: the system clock.
     */
    public ServiceBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * Validates configuration and bindings, starts the server and returns when it is ready.
     *
     * @throws dev.chassis.core.config.ConfigException    on bad configuration
     * @throws dev.chassis.core.http.BindingException     on misused annotations
     */
    public RunningService start() {
        return ServiceRuntime.start(new ServiceSpec(name, version, endpoints, checks, mappers, properties, routing,
                settings, clients, clock, grpcServices, grpcChannels, consumers, components));
    }
}
