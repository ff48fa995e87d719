package dev.chassis.core.internal.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;

import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.SettableLimit;

import dev.chassis.core.config.Config;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.internal.config.ConfigLoader;
import io.opentelemetry.api.OpenTelemetry;

/** The limits' wiring: algorithms, groups, exempt routes and bad settings; latencies come from a controlled clock. */
class ConcurrencyLimitsTest {
    /** Requests up to the limit. */
    private static final int SATURATED = Integer.MAX_VALUE;
    private final AtomicLong clock = new AtomicLong();

    @Test
    void aFixedLimitRefusesTheRequestAboveIt() {
        ConcurrencyLimits limits = limits(Map.of("server.concurrency-limit.algorithm", "fixed",
                "server.concurrency-limit.initial-limit", "2"), List.of());
        LimitGroup service = limits.forPath("/books/1");
        Limiter.Listener first = service.tryAcquire();
        Limiter.Listener second = service.tryAcquire();
        assertThat(first).isNotNull();
        assertThat(second).isNotNull();
        assertThat(service.tryAcquire()).as("the third at once").isNull();
        assertThat(service.inFlight()).isEqualTo(2);
        first.onSuccess();
        assertThat(service.tryAcquire()).as("a permit came back").isNotNull();
        assertThat(service.limit()).isEqualTo(2);
    }

    @Test
    void gradientLowersItsLimitWhenLatencyRises() {
        ConcurrencyLimits limits = limits(Map.of("server.concurrency-limit.initial-limit", "20",
                "server.concurrency-limit.min-limit", "4", "server.concurrency-limit.max-limit", "100"), List.of());
        LimitGroup service = limits.forPath("/work");
        rounds(service, 200, SATURATED, 10); // as many as the limit lets in, answered in 10 ms: the baseline
        int before = service.limit();
        assertThat(before).as("steady latency does not lower the limit").isGreaterThanOrEqualTo(20);
        rounds(service, 1, SATURATED, 100); // ten times slower: requests queue somewhere
        assertThat(service.limit()).as("the limit after latency rose tenfold").isLessThan(before).isGreaterThanOrEqualTo(4);
    }

    @Test
    void vegasLowersItsLimitWhenLatencyRises() {
        ConcurrencyLimits limits = limits(Map.of("server.concurrency-limit.algorithm", "vegas",
                "server.concurrency-limit.initial-limit", "20", "server.concurrency-limit.min-limit", "10"), List.of());
        LimitGroup service = limits.forPath("/work");
        rounds(service, 2, SATURATED, 10);
        int before = service.limit();
        rounds(service, 1, SATURATED, 1000);
        assertThat(service.limit()).isLessThan(before).isGreaterThanOrEqualTo(10);
    }

    @Test
    void aBoundedLimitNeverReportsLessThanItsFloor() {
        List<Integer> told = new ArrayList<>();
        Bounded bounded = new Bounded(SettableLimit.startingAt(3), 5);
        assertThat(bounded.getLimit()).isEqualTo(5);
        bounded.notifyOnChange(told::add);
        ((SettableLimit) bounded.limit()).setLimit(2);
        ((SettableLimit) bounded.limit()).setLimit(8);
        assertThat(told).containsExactly(5, 8);
    }

    @Test
    void aLightlyLoadedServiceKeepsItsLimitWhateverItsLatency() {
        ConcurrencyLimits limits = limits(Map.of(), List.of()); // the defaults
        LimitGroup service = limits.forPath("/work");
        rounds(service, 50, 5, 10);
        rounds(service, 50, 5, 2000);
        assertThat(service.limit()).as("an adaptive limit moves only once half of it is in use").isEqualTo(200);
    }

    @Test
    void managementRoutesAndGrpcHealthAreNeverLimited() {
        ConcurrencyLimits limits = limits(Map.of(), List.of("/health/ready", "/metrics", "/observe/traces/{id}"));
        assertThat(limits.forPath("/health/ready")).isNull();
        assertThat(limits.forPath("/metrics")).isNull();
        assertThat(limits.forPath("/observe/traces/abc")).isNull();
        assertThat(limits.forPath("/metricsx")).isNotNull();
        assertThat(limits.forPath("/health/readyz")).isNotNull();
        assertThat(limits.forMethod("grpc.health.v1.Health/Check")).isNull();
        assertThat(limits.forMethod("grpc.reflection.v1.ServerReflection/ServerReflectionInfo")).isNull();
        assertThat(limits.forMethod("shop.Orders/Place").name()).isEqualTo(ConcurrencyLimits.SERVICE_GROUP);
    }

    @Test
    void aGroupLimitsTheRoutesItNamesApartFromTheRest() {
        Map<String, String> settings = new HashMap<>();
        settings.put("server.concurrency-limit.algorithm", "fixed");
        settings.put("server.concurrency-limit.initial-limit", "5");
        settings.put("server.concurrency-limit.groups.reports.routes", "/reports, shop.Reports");
        settings.put("server.concurrency-limit.groups.reports.initial-limit", "1");
        settings.put("server.concurrency-limit.groups.exports.routes", "/reports/export, shop.Reports/Export");
        ConcurrencyLimits limits = limits(settings, List.of());
        assertThat(limits.forPath("/reports").name()).isEqualTo("reports");
        assertThat(limits.forPath("/reports/daily").name()).isEqualTo("reports");
        assertThat(limits.forPath("/reports/export/1").name()).as("the longest claim wins").isEqualTo("exports");
        assertThat(limits.forPath("/reportsx").name()).isEqualTo(ConcurrencyLimits.SERVICE_GROUP);
        assertThat(limits.forMethod("shop.Reports/Daily").name()).isEqualTo("reports");
        assertThat(limits.forMethod("shop.Reports/Export").name()).isEqualTo("exports");
        assertThat(limits.forMethod("shop.ReportsX/Daily").name()).isEqualTo(ConcurrencyLimits.SERVICE_GROUP);
        LimitGroup reports = limits.forPath("/reports");
        assertThat(reports.tryAcquire()).isNotNull();
        assertThat(reports.tryAcquire()).as("the group's own limit, 1").isNull();
        assertThat(limits.forPath("/books").tryAcquire()).as("the rest is not held up by the group").isNotNull();
        assertThat(limits.forPath("/reports/export").limit()).as("a group inherits what it does not set").isEqualTo(5);
    }

    @Test
    void contradictoryLimitsAndAGroupWithoutRoutesFailWithTheirKeys() {
        assertThatThrownBy(() -> limits(Map.of("server.concurrency-limit.min-limit", "300"), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.concurrency-limit: min-limit (300) <= initial-limit (200) <= max-limit (1000)");
        assertThatThrownBy(() -> limits(Map.of("server.concurrency-limit.groups.slow.max-limit", "10"), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.concurrency-limit.groups.slow.routes is missing")
                .hasMessageContaining("server.concurrency-limit.groups.slow: min-limit (20) <= initial-limit (200)"
                        + " <= max-limit (10)");
        assertThatThrownBy(() -> limits(Map.of("server.concurrency-limit.algorithm", "aimd"), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.concurrency-limit.algorithm = 'aimd'")
                .hasMessageContaining("gradient2, vegas, fixed");
    }

    @Test
    void aBacklogOfVirtualThreadsWaitingToRunRefusesRequestsUntilItDrains() throws Exception {
        backlogRefusesUntilItDrains(limits(Map.of("server.concurrency-limit.max-scheduler-queue", "5",
                "server.concurrency-limit.scheduler-queue-interval", "0ms"), List.of()));
    }

    @Test
    void aBacklogThatLastsTheIntervalRefusesRequestsUntilItHasDrainedForAsLong() throws Exception {
        backlogRefusesUntilItDrains(limits(Map.of("server.concurrency-limit.max-scheduler-queue", "5",
                "server.concurrency-limit.scheduler-queue-interval", "20ms"), List.of(), System::nanoTime));
    }

    @Test
    void aBacklogMeasuredInTimeRefusesRequestsUntilItDrains() throws Exception {
        // the real clock: the cost per request is measured over 50 ms periods of it
        backlogRefusesUntilItDrains(limits(Map.of("server.concurrency-limit.max-scheduler-wait", "1ms",
                "server.concurrency-limit.scheduler-queue-interval", "0ms"), List.of(), System::nanoTime));
    }

    @Test
    void aNegativeSchedulerWaitFailsWithItsKey() {
        assertThatThrownBy(() -> limits(Map.of("server.concurrency-limit.max-scheduler-wait", "-1ms"), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.concurrency-limit.max-scheduler-wait");
    }

    private static void backlogRefusesUntilItDrains(ConcurrencyLimits limits) throws Exception {
        assumeThat(SchedulerQueue.get()).as("JDK 24 or later counts the virtual threads waiting to run").isNotNull();
        LimitGroup service = limits.forPath("/work");
        Backlogs.waitFor("an idle scheduler lets a request in", () -> admitted(service));
        int tasks = Runtime.getRuntime().availableProcessors() * 600; // about 2 ms of CPU each: seconds of backlog
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < tasks; i++) {
                pool.submit(Backlogs::compute);
            }
            Backlogs.waitFor("the backlog refuses requests", () -> !admitted(service));
            pool.shutdown();
            assertThat(pool.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
        }
        Backlogs.waitFor("the drained scheduler lets requests in again", () -> admitted(service));
        assertThat(service.inFlight()).isZero();
    }

    @Test
    void aNegativeSchedulerQueueIntervalFailsWithItsKey() {
        assertThatThrownBy(() -> limits(Map.of("server.concurrency-limit.max-scheduler-queue", "50",
                "server.concurrency-limit.scheduler-queue-interval", "-5ms"), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.concurrency-limit.scheduler-queue-interval");
    }

    @Test
    void aNegativeSchedulerQueueFailsWithItsKey() {
        assertThatThrownBy(() -> limits(Map.of("server.concurrency-limit.max-scheduler-queue", "-1"), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.concurrency-limit.max-scheduler-queue");
    }

    @Test
    void disabledMeansNoLimits() {
        assertThat(limits(Map.of("server.concurrency-limit.enabled", "false"), List.of())).isNull();
    }

    /** {@code count} rounds of {@code concurrent} requests (at most) that start together and take {@code millis}. */
    private void rounds(LimitGroup group, int count, int concurrent, long millis) {
        for (int r = 0; r < count; r++) {
            List<Limiter.Listener> held = new ArrayList<>();
            for (int i = 0; i < concurrent; i++) {
                Limiter.Listener permit = group.tryAcquire();
                if (permit == null) {
                    break;
                }
                held.add(permit);
            }
            clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
            held.forEach(Limiter.Listener::onSuccess);
        }
    }

    /** Whether the group lets a request in now (its permit is given back at once). */
    private static boolean admitted(LimitGroup group) {
        Limiter.Listener permit = group.tryAcquire();
        if (permit == null) {
            return false;
        }
        permit.onIgnore();
        return true;
    }


    private ConcurrencyLimits limits(Map<String, String> settings, List<String> exempt) {
        return limits(settings, exempt, clock::get);
    }

    private static ConcurrencyLimits limits(Map<String, String> settings, List<String> exempt, LongSupplier nanoClock) {
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            Config config = ConfigLoader.load(empty, Map.of(), new Properties(), settings);
            return ConcurrencyLimits.of(config, OpenTelemetry.noop(), exempt, nanoClock);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
