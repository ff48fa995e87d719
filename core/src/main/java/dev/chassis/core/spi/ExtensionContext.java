package dev.chassis.core.spi;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.config.Setting;
import dev.chassis.core.health.HealthCheck;
import dev.chassis.core.health.HealthChecks;
import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.Handler;
import io.opentelemetry.api.OpenTelemetry;

/**
 * What an extension sees of the service being assembled, during {@link ChassisExtension#register(ExtensionContext)}:
 * the service's identity, configuration, clock and OpenTelemetry, and one small typed context per thing it may add
 * ({@link #http()}, {@link #calls()}, {@link #grpc()}, {@link #components()}, {@link #health()},
 * {@link #lifecycle()}, {@link #production()}). Valid only during {@code register}; not thread-safe.
 */
public interface ExtensionContext {
    /** The service's identity. */
    ServiceInfo service();

    /** The validated configuration. */
    Config config();

    /**
     * Every setting the service declares — core's, each extension's found on the class path (enabled or not), the
     * application's — in that order, as validated at start-up: to show the effective configuration (a secret's value
     * is shown with {@link Setting#shown(String)}).
     */
    List<Setting<?>> settings();

    /** The service's clock: the system clock, or the one a test set with {@code ServiceBuilder.clock(...)}. */
    Clock clock();

    /**
     * The service's OpenTelemetry: the SDK an extension brings (see {@link ChassisExtension#openTelemetry}), else
     * {@link OpenTelemetry#noop()}. Extensions record their metrics and spans with it.
     */
    OpenTelemetry openTelemetry();

    /**
     * The TLS bundle ({@code tls.bundles.<name>}) that {@code setting} names, for the extension's connections to
     * its back-end; empty when the setting is unset. Bundles are read and checked before any extension registers.
     *
     * @throws ConfigException when the setting names no bundle (the message names the setting, the value and the
     *                         bundles there are), so start-up fails before the port opens
     */
    Optional<ClientTls> tls(Setting<String> setting);

    /** HTTP: annotated endpoints, plain routes, filters. */
    Http http();

    /** Handler and client calls: decorators and target resolvers. */
    Calls calls();

    /** gRPC: server and client interceptors. */
    Grpc grpc();

    /** Components extensions and the application provide to each other. */
    Components components();

    /** Health checks. */
    Checks health();

    /** What runs when the service is bound, started, stopping and stopped. */
    Lifecycle lifecycle();

    /** Production mode: the development-only choices this extension made, refused there unless allowed. */
    Production production();

    /** HTTP routes and filters of the service port, and of the management port ({@link Http#management()}). */
    interface Http {
        /** Adds annotated endpoints, exactly as {@code Chassis.service(...).http(endpoint)} does. */
        void endpoint(Object endpoint);

        /** Adds a plain Helidon handler for a method and path; it takes part in 404/405/OPTIONS answers. */
        void route(Method method, String path, Handler handler);

        /** Adds a filter that runs on every request, after Chassis' own, in registration order. */
        void filter(Filter filter);

        /**
         * The management routes: operational endpoints such as health, metrics, traces and info. They are served on
         * {@code management.port} when it is set — where the service port answers 404 for them and where the
         * filters added here (not the service port's) run, without request spans or metrics — and beside the
         * service's own routes, exactly as {@code route}/{@code endpoint}/{@code filter} above, when it is not.
         * The returned context's {@code management()} is itself.
         */
        Http management();
    }

    /** What wraps and routes the service's handler and client calls. */
    interface Calls {
        /**
         * Wraps every handler and client method of the service (resilience policies, ...). Decorators apply in
         * registration order, the first one outermost.
         */
        void decorator(CallDecorator decorator);

        /** Adds a way to find the instances of logical client targets (discovery back-ends). */
        void targetResolver(TargetResolver resolver);

        /**
         * How the service finds a target's instances: every resolver added (discovery), in order, then
         * {@code clients.<target>.url}; {@code Optional.empty()} when nothing knows the target. Usable once the
         * service has started (the resolvers are complete then); thread-safe.
         */
        TargetResolver resolver();

        /**
         * Sets who may call each HTTP handler and gRPC method (authorization): asked once per handler and RPC while
         * binding, checked per call before arguments are read. At most one extension may set one.
         */
        void accessPolicy(AccessPolicy policy);
    }

    /** Interceptors of the service's gRPC services and channels. */
    interface Grpc {
        /** Adds an interceptor to every gRPC service of the service (tracing, metrics, policies...). */
        void serverInterceptor(ServerInterceptor interceptor);

        /** Adds an interceptor to every gRPC channel the service opens. */
        void clientInterceptor(ClientInterceptor interceptor);
    }

    /**
     * Components: instances one party provides by type and others use — an extension's {@code Publisher}, the
     * application's message handlers, a store core uses. The application asks for them with
     * {@code ServiceBuilder.component(type)}.
     */
    interface Components {
        /** Provides the instance behind {@code type} for this service. Providing a type twice fails start-up. */
        <T> void provide(Class<T> type, T instance);

        /**
         * A component someone else provides, as a proxy usable once the service has started. When nobody provides
         * it, start-up fails with {@code fix} as the advice (for example which module to add).
         */
        <T> T require(Class<T> type, String fix);

        /**
         * Takes a component provided so far (by the application or an earlier extension) for this extension to
         * bind — the application's {@code consume(...)} handlers, for instance. Components the application
         * provides must be taken by some extension, else start-up fails.
         */
        <T> Optional<T> take(Class<T> type);
    }

    /** The service's health checks. */
    interface Checks {
        /** Adds a health check. */
        void add(HealthCheck check);

        /** The service's health checks, to serve them (HTTP, gRPC health, ...). */
        HealthChecks all();
    }

    /** Hooks into the service's phases, run on the thread that starts or stops the service. */
    interface Lifecycle {
        /**
         * Runs once everything is registered and bound, before the port opens: the place to check that
         * configuration names what exists. A hook that throws stops start-up with the port never bound.
         */
        void onBound(Runnable hook);

        /**
         * Runs with what the service serves ({@link ServiceApi}: its annotated HTTP handlers and gRPC services)
         * once everything is bound, before the {@link #onBound} hooks and before the port opens: the place to build
         * a description of the service. A hook that throws stops start-up with the port never bound.
         */
        void onDescribed(Consumer<ServiceApi> hook);

        /** Runs after the server has started and is ready. */
        void onStarted(Consumer<RunningService> hook);

        /** Runs first thing on graceful shutdown, right after readiness turns DOWN (deregistration, ...). */
        void onStopping(Runnable hook);

        /**
         * Runs after in-flight requests have finished (or the drain timed out) and the port has closed, in the
         * reverse order of registration: release clients, pools and connections here.
         */
        void onStopped(Runnable hook);

        /**
         * Declares that this extension's part of a graceful shutdown (its {@code onStopping} hook: consumers
         * finishing their messages, a deregistration delay) may take up to {@code longest}. Core adds the parts to
         * {@code server.shutdown.delay} and {@code server.shutdown.timeout}; a sum above
         * {@code server.shutdown.grace-period} stops start-up with the arithmetic, before the port opens.
         *
         * @param name    what the part is, as the message shows it: the setting that sets it
         *                ({@code messaging.shutdown-timeout})
         * @param longest the longest it takes; not negative
         */
        void shutdownTakes(String name, Duration longest);
    }

    /**
     * Production mode ({@code chassis.profile: production}, or {@code production.enabled: true}): start-up refuses
     * what is fine on a laptop and wrong in a cluster — an embedded broker, an in-memory database, operational
     * endpoints on the business port — unless a named setting allows each one. Core checks every declaration of
     * every extension after registration and reports all refusals at once, before the port opens.
     */
    interface Production {
        /** Whether the service runs in production mode. */
        boolean enabled();

        /**
         * Declares a development-only choice the service made (call it only when the choice is in effect): in
         * production mode start-up stops unless {@code allow} is true. The message names {@code what}, the
         * setting {@code allow} and {@code fix}. Outside production mode nothing happens (on Kubernetes without
         * production mode, a warning lists the choices).
         *
         * @param allow a boolean setting the extension declares among its settings, under {@code production.allow.}
         * @param what  the choice, for a sentence: {@code "the in-memory broker"}
         * @param fix   how to configure it away: {@code "set messaging.broker: kafka and ..."}
         */
        void refuseUnless(Setting<Boolean> allow, String what, String fix);
    }
}
