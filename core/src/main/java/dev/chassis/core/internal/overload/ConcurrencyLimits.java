package dev.chassis.core.internal.overload;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.FixedLimit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;

import dev.chassis.core.config.Config;
import dev.chassis.core.config.ConfigException;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;

/**
 * The service's adaptive concurrency limits: one {@link LimitGroup} for the service, and one per group configured
 * under {@code server.concurrency-limit.groups}, whose routes count in their group only. Management routes on the
 * service port (health probes, {@code /metrics}, ...) and gRPC health and reflection count in none: they are never
 * refused. Publishes {@value #LIMIT_METRIC}, {@value #IN_FLIGHT_METRIC} and {@value #SHED_METRIC} per group.
 * Thread-safe. Not API.
 */
public final class ConcurrencyLimits {
    /** The gauge of each group's current limit. */
    public static final String LIMIT_METRIC = "chassis.server.concurrency.limit";
    /** The gauge of each group's requests and calls in the handlers. */
    public static final String IN_FLIGHT_METRIC = "chassis.server.concurrency.in_flight";
    /** The counter of each group's refused requests and calls. */
    public static final String SHED_METRIC = "chassis.server.concurrency.shed";
    /** The name of the group of everything no configured group claims. */
    public static final String SERVICE_GROUP = "service";

    private static final System.Logger LOG = System.getLogger(ConcurrencyLimits.class.getName());

    private final LimitGroup service;
    private final List<Claim> claims;
    private final ExemptPaths exempt;
    private final String retryAfter;

    private ConcurrencyLimits(LimitGroup service, List<Claim> claims, ExemptPaths exempt, String retryAfter) {
        this.service = service;
        this.claims = claims;
        this.exempt = exempt;
        this.retryAfter = retryAfter;
    }

    /**
     * The limits the configuration asks for, or null when {@code server.concurrency-limit.enabled} is false.
     *
     * @param exemptPaths the management routes' path templates served on the service port (never limited)
     * @param nanoClock   the clock latencies are measured with ({@link System#nanoTime()} but in tests)
     * @throws ConfigException when a group's or the service's limits contradict each other, or a group has no routes
     */
    public static ConcurrencyLimits of(Config config, OpenTelemetry otel, List<String> exemptPaths, LongSupplier nanoClock) {
        if (!config.get(OverloadSettings.ENABLED)) {
            return null;
        }
        Meter meter = otel.getMeter("dev.chassis");
        LongCounter shed = meter.counterBuilder(SHED_METRIC).setUnit("{request}")
                .setDescription("Requests and gRPC calls refused because the concurrency limit was reached").build();
        List<String> problems = new ArrayList<>();
        BooleanSupplier saturated = saturation(config, nanoClock);
        LimitGroup service = group(SERVICE_GROUP, config.get(OverloadSettings.ALGORITHM), config.get(OverloadSettings.INITIAL),
                config.get(OverloadSettings.MIN), config.get(OverloadSettings.MAX), OverloadSettings.PREFIX, problems,
                shed, nanoClock, saturated);
        List<LimitGroup> all = new ArrayList<>();
        all.add(service);
        List<Claim> claims = new ArrayList<>();
        for (String name : config.names(OverloadSettings.GROUPS)) {
            String prefix = OverloadSettings.GROUPS + "." + name;
            List<String> routes = config.find(OverloadSettings.GROUP_ROUTES.resolve(name)).orElse(List.of());
            if (routes.isEmpty()) {
                problems.add(prefix + ".routes is missing: a group limits the routes it names (HTTP path prefixes such"
                        + " as /reports, gRPC services or methods such as shop.Reports)");
            }
            LimitGroup group = group(name,
                    config.find(OverloadSettings.GROUP_ALGORITHM.resolve(name)).orElse(config.get(OverloadSettings.ALGORITHM)),
                    config.find(OverloadSettings.GROUP_INITIAL.resolve(name)).orElse(config.get(OverloadSettings.INITIAL)),
                    config.find(OverloadSettings.GROUP_MIN.resolve(name)).orElse(config.get(OverloadSettings.MIN)),
                    config.find(OverloadSettings.GROUP_MAX.resolve(name)).orElse(config.get(OverloadSettings.MAX)),
                    prefix, problems, shed, nanoClock, saturated);
            all.add(group);
            routes.forEach(r -> claims.add(new Claim(r, group)));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        // the longest claim first: /reports/daily in its group before /reports in another
        claims.sort((a, b) -> Integer.compare(b.route().length(), a.route().length()));
        meter.gaugeBuilder(LIMIT_METRIC).ofLongs().setUnit("{request}")
                .setDescription("The concurrency limit: requests and gRPC calls the handlers may run at once")
                .buildWithCallback(m -> all.forEach(g -> m.record(g.limit(), g.attributes())));
        meter.gaugeBuilder(IN_FLIGHT_METRIC).ofLongs().setUnit("{request}")
                .setDescription("Requests and gRPC calls in the handlers, counted against the concurrency limit")
                .buildWithCallback(m -> all.forEach(g -> m.record(g.inFlight(), g.attributes())));
        long seconds = Math.max(1, (config.get(OverloadSettings.RETRY_AFTER).toMillis() + 999) / 1000);
        return new ConcurrencyLimits(service, List.copyOf(claims), new ExemptPaths(exemptPaths), Long.toString(seconds));
    }

    /**
     * Whether the configuration asks for a scheduler check that this JDK can run: the limit enabled, and
     * {@code max-scheduler-wait} or {@code max-scheduler-queue} above 0, on a JDK that counts the virtual threads
     * waiting to run (24 or later; before that, {@link #of} logs that the check is off).
     */
    public static boolean schedulerChecksRun(Config config) {
        return config.get(OverloadSettings.ENABLED)
                && (config.get(OverloadSettings.MAX_SCHEDULER_WAIT).toNanos() > 0
                || config.get(OverloadSettings.MAX_SCHEDULER_QUEUE) > 0)
                && SchedulerQueue.get() != null;
    }

    /** The group an HTTP request to this path counts in, or null when it is never limited. */
    public LimitGroup forPath(String path) {
        if (exempt.matches(path)) {
            return null;
        }
        for (Claim c : claims) {
            if (c.route().startsWith("/") && (path.equals(c.route()) || path.startsWith(c.route())
                    && (c.route().endsWith("/") || path.charAt(c.route().length()) == '/'))) {
                return c.group();
            }
        }
        return service;
    }

    /** The group a gRPC call of this method ({@code package.Service/Method}) counts in, or null when never limited. */
    public LimitGroup forMethod(String fullMethodName) {
        if (fullMethodName.startsWith("grpc.health.v1.") || fullMethodName.startsWith("grpc.reflection.")) {
            return null;
        }
        for (Claim c : claims) {
            if (!c.route().startsWith("/") && (fullMethodName.equals(c.route())
                    || fullMethodName.startsWith(c.route()) && fullMethodName.charAt(c.route().length()) == '/')) {
                return c.group();
            }
        }
        return service;
    }

    /** The {@code Retry-After} of a refused request, in seconds. */
    public String retryAfter() {
        return retryAfter;
    }

    private static LimitGroup group(String name, OverloadSettings.Algorithm algorithm, int initial, int min, int max,
                                    String prefix, List<String> problems, LongCounter shed, LongSupplier nanoClock,
                                    BooleanSupplier saturated) {
        if (algorithm != OverloadSettings.Algorithm.FIXED && (min > initial || initial > max)) {
            problems.add(prefix + ": min-limit (" + min + ") <= initial-limit (" + initial + ") <= max-limit (" + max
                    + ") must hold for the " + algorithm.name().toLowerCase(Locale.ROOT) + " algorithm");
            return null;
        }
        Limit limit = switch (algorithm) {
            case FIXED -> FixedLimit.of(initial);
            case GRADIENT2 -> new Sampled(Gradient2Limit.newBuilder().initialLimit(initial).minLimit(min)
                    .maxConcurrency(max).build());
            case VEGAS -> new Sampled(new Bounded(VegasLimit.newBuilder().initialLimit(initial).maxConcurrency(max)
                    .build(), min));
        };
        SimpleLimiter<Void> limiter = SimpleLimiter.newBuilder().named(name).limit(limit).nanoClock(nanoClock).build();
        return new LimitGroup(name, limiter, shed, saturated);
    }

    /** The scheduler checks the configuration turns on, as one test; null when none is. */
    private static BooleanSupplier saturation(Config config, LongSupplier nanoClock) {
        long maxDelay = config.get(OverloadSettings.MAX_SCHEDULER_DELAY).toNanos();
        SchedulerDelay delay = maxDelay > 0 ? SchedulerDelay.get() : null;
        int maxQueue = config.get(OverloadSettings.MAX_SCHEDULER_QUEUE);
        SchedulerQueue queue = maxQueue > 0 ? SchedulerQueue.get() : null;
        if (maxQueue > 0 && queue == null) {
            LOG.log(System.Logger.Level.WARNING, OverloadSettings.MAX_SCHEDULER_QUEUE.key() + " is set but this JDK ("
                    + Runtime.version() + ") does not count the virtual threads waiting to run (JDK 24 or later does):"
                    + " the check is off");
        }
        long maxWait = config.get(OverloadSettings.MAX_SCHEDULER_WAIT).toNanos();
        SchedulerWait wait = maxWait > 0 ? SchedulerWait.get(nanoClock) : null;
        if (maxWait > 0 && wait == null) {
            LOG.log(System.Logger.Level.WARNING, OverloadSettings.MAX_SCHEDULER_WAIT.key() + " is set but this JDK ("
                    + Runtime.version() + ") does not count the virtual threads waiting to run (JDK 24 or later does)"
                    + " or the process's CPU time: the check is off");
        }
        // the wait first: it counts every request it is asked about, which its cost per request needs
        BooleanSupplier above = queue == null && wait == null ? null
                : () -> (wait != null && wait.saturated(maxWait)) || (queue != null && queue.saturated(maxQueue));
        long interval = config.get(OverloadSettings.SCHEDULER_QUEUE_INTERVAL).toNanos();
        BooleanSupplier queued = above == null ? null : interval == 0 ? above : new Sustained(above, interval, nanoClock);
        BooleanSupplier all = delay != null && queued != null ? () -> queued.getAsBoolean() || delay.saturated(maxDelay)
                : queued != null ? queued
                : delay != null ? () -> delay.saturated(maxDelay) : null;
        if (wait == null || all == null) {
            return all;
        }
        // the wait counts what its refused requests would have cost: only those refused, not every look above the
        // bound (the interval lets the first ones in)
        return () -> {
            boolean refuse = all.getAsBoolean();
            if (refuse) {
                wait.refused();
            }
            return refuse;
        };
    }

    /** A route a group claims: an HTTP path prefix (starts with {@code /}) or a gRPC service or method. */
    private record Claim(String route, LimitGroup group) {
    }
}
