package dev.chassis.core.internal.overload;

import java.time.Duration;
import java.util.List;

import dev.chassis.core.config.Setting;

/** The configuration keys of the adaptive concurrency limit ({@code server.concurrency-limit.*}). Not API. */
public final class OverloadSettings {
    static final String PREFIX = "server.concurrency-limit";
    static final String GROUPS = PREFIX + ".groups";

    public static final Setting<Boolean> ENABLED = Setting.bool(PREFIX + ".enabled", true)
            .describedAs("limit the requests and gRPC calls the handlers run at once; above the limit they are refused"
                    + " at once (503 with Retry-After; gRPC UNAVAILABLE), before their body is read");
    public static final Setting<Algorithm> ALGORITHM = Setting.oneOf(PREFIX + ".algorithm", Algorithm.class,
            Algorithm.GRADIENT2).describedAs("how the limit moves: gradient2 (follows the latency gradient), vegas"
            + " (follows the queue the latency shows) or fixed (always initial-limit)");
    public static final Setting<Integer> INITIAL = Setting.integer(PREFIX + ".initial-limit", 200).range(1, 100_000)
            .describedAs("the limit at start-up (fixed: the limit); an adaptive limit moves only once at least half"
                    + " of it is in use");
    public static final Setting<Integer> MIN = Setting.integer(PREFIX + ".min-limit", 20).range(1, 100_000)
            .describedAs("an adaptive limit never goes below this");
    public static final Setting<Integer> MAX = Setting.integer(PREFIX + ".max-limit", 1000).range(1, 100_000)
            .describedAs("an adaptive limit never goes above this");
    public static final Setting<Duration> MAX_SCHEDULER_DELAY = Setting.duration(PREFIX + ".max-scheduler-delay",
                    Duration.ZERO).min(0)
            .describedAs("refuse new requests and calls (503 / UNAVAILABLE) while virtual threads wait longer than this"
                    + " (smoothed) for a carrier — the CPUs are saturated, a queue a limit on requests in flight cannot"
                    + " see; e.g. 100ms for CPU-bound handlers; 0 = off");
    public static final Setting<Integer> MAX_SCHEDULER_QUEUE = Setting.integer(PREFIX + ".max-scheduler-queue", 0)
            .range(0, 1_000_000).describedAs("refuse new requests and calls (503 / UNAVAILABLE) while more virtual"
                    + " threads than this per CPU wait to run — the scheduler's own count (JDK 24 or later; on older JDKs"
                    + " the check is off and start-up logs a warning), which sees the queue of new and ready connections"
                    + " max-scheduler-delay can miss; e.g. 50 for CPU-bound handlers; above 0, it also brings platform"
                    + " pollers (server.platform-pollers) unless that is set; 0 = off");
    public static final Setting<Duration> MAX_SCHEDULER_WAIT = Setting.duration(PREFIX + ".max-scheduler-wait",
                    Duration.ZERO).min(0)
            .describedAs("refuse new requests and calls (503 / UNAVAILABLE) while a request arriving now would wait longer"
                    + " than this for a CPU — the virtual threads queued per carrier times what a request has cost the"
                    + " virtual-thread carriers in CPU time over the last 50 ms, refused ones included — and only while"
                    + " those 50 ms asked for at least 75% of the carriers' time (the CPU they used plus what the requests"
                    + " refused would have cost) and used at least 25% of it (JDK 24 or later; on older JDKs the check is"
                    + " off and start-up logs a warning); e.g. 5ms for CPU-bound handlers; above 0, it also brings"
                    + " platform pollers (server.platform-pollers) unless that is set; 0 = off");
    public static final Setting<Duration> SCHEDULER_QUEUE_INTERVAL = Setting.duration(PREFIX
                    + ".scheduler-queue-interval", Duration.ofMillis(100)).min(0)
            .describedAs("with max-scheduler-queue or max-scheduler-wait: refuse only once the queue has stayed above"
                    + " the bound this long (a burst of new connections that drains sooner is served), then whenever it"
                    + " is above it, until it has stayed at or below it this long; 0 = refuse as soon as it is above");
    public static final Setting<Duration> RETRY_AFTER = Setting.duration(PREFIX + ".retry-after", Duration.ofSeconds(1))
            .min(1000).describedAs("the Retry-After of a refused request, in whole seconds");

    public static final Setting<List<String>> GROUP_ROUTES = Setting.list(GROUPS + ".*.routes", null)
            .describedAs("what the group limits apart from the rest: HTTP path prefixes (/reports matches /reports and"
                    + " /reports/...) and gRPC services or methods (shop.Reports, shop.Reports/Export)");
    public static final Setting<Algorithm> GROUP_ALGORITHM = Setting.oneOf(GROUPS + ".*.algorithm", Algorithm.class,
            null).describedAs("the group's algorithm; default: server.concurrency-limit.algorithm");
    public static final Setting<Integer> GROUP_INITIAL = Setting.integer(GROUPS + ".*.initial-limit", null)
            .range(1, 100_000).describedAs("the group's initial limit; default: server.concurrency-limit.initial-limit");
    public static final Setting<Integer> GROUP_MIN = Setting.integer(GROUPS + ".*.min-limit", null).range(1, 100_000)
            .describedAs("the group's minimum limit; default: server.concurrency-limit.min-limit");
    public static final Setting<Integer> GROUP_MAX = Setting.integer(GROUPS + ".*.max-limit", null).range(1, 100_000)
            .describedAs("the group's maximum limit; default: server.concurrency-limit.max-limit");

    /** How a limit moves. */
    public enum Algorithm {
        /** Netflix's Gradient2: the limit follows the ratio of the long-term to the current latency. */
        GRADIENT2,
        /** Netflix's Vegas (after TCP Vegas): the limit follows the queue that the latency above its minimum shows. */
        VEGAS,
        /** The limit is {@code initial-limit}, always. */
        FIXED
    }

    private OverloadSettings() {
    }

    /** Every key above. */
    public static List<Setting<?>> all() {
        return List.of(ENABLED, ALGORITHM, INITIAL, MIN, MAX, MAX_SCHEDULER_DELAY, MAX_SCHEDULER_QUEUE, MAX_SCHEDULER_WAIT,
                SCHEDULER_QUEUE_INTERVAL,
                RETRY_AFTER, GROUP_ROUTES,
                GROUP_ALGORITHM, GROUP_INITIAL, GROUP_MIN, GROUP_MAX);
    }
}
