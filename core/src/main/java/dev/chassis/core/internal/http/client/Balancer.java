package dev.chassis.core.internal.http.client;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import dev.chassis.core.internal.shared.Backoff;

/**
 * Client-side load balancing over a target's instances (STANDARD §8): round robin, or power of two choices on
 * outstanding requests; an instance that fails {@code consecutiveFailures} calls in a row (transport failures and
 * 5xx) is ejected for {@code baseEjection}, twice as long each time it is ejected again (at most
 * {@code maxEjection}), and never more than {@code maxEjectedPercent} of the instances at once; a retry goes to an
 * instance the call has not tried yet, when there is one. Not API.
 */
public final class Balancer {
    private static final System.Logger LOG = System.getLogger(Balancer.class.getName());

    /** How an instance is chosen. */
    public enum Policy { ROUND_ROBIN, LEAST_OUTSTANDING }

    /** The settings of one target; their keys and defaults are in {@code CoreSettings}. */
    public record Settings(Policy policy, int consecutiveFailures, Duration baseEjection, Duration maxEjection,
                           int maxEjectedPercent) {
    }

    /** What is known of one instance. */
    static final class Stats {
        final AtomicInteger outstanding = new AtomicInteger();
        // guarded by the balancer's lock; ejectedUntil is also read without it
        int failures;
        int ejections;
        volatile long ejectedUntil;
        long lastEjectionEnd;

        boolean ejected(long now) {
            long until = ejectedUntil;
            return until != 0 && now - until < 0;
        }
    }

    private final String target;
    private final Settings settings;
    /** The n-th ejection of an instance lasts baseEjection × 2^(n-1), at most maxEjection. */
    private final Backoff ejection;
    private final Map<URI, Stats> stats = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger();

    public Balancer(String target, Settings settings) {
        this.target = target;
        this.settings = settings;
        Duration max = settings.maxEjection();
        this.ejection = Backoff.exponential(settings.baseEjection().compareTo(max) > 0 ? max : settings.baseEjection(),
                max);
    }

    private Stats stats(URI instance) {
        return stats.computeIfAbsent(instance, u -> new Stats());
    }

    /** The instance for this attempt of the call, among {@code instances} (not empty). */
    URI pick(List<URI> instances, ClientCall call) {
        if (stats.size() > 2 * instances.size() + 8) {
            // instances that left and have no call in flight: forget them
            for (URI u : List.copyOf(stats.keySet())) {
                if (!instances.contains(u)) {
                    stats.computeIfPresent(u, (k, st) -> st.outstanding.get() == 0 ? null : st);
                }
            }
        }
        long now = System.nanoTime();
        List<URI> candidates = instances; // the common case: a first attempt, nothing ejected — no copy
        for (int i = 0; i < instances.size(); i++) {
            URI u = instances.get(i);
            if (call.tried(u) || stats(u).ejected(now)) {
                candidates = new ArrayList<>(instances.size());
                for (URI v : instances) {
                    if (!call.tried(v) && !stats(v).ejected(now)) {
                        candidates.add(v);
                    }
                }
                break;
            }
        }
        if (candidates.isEmpty()) { // everything was tried or is ejected: take the untried, then any
            candidates = new ArrayList<>(instances.size());
            for (URI u : instances) {
                if (!call.tried(u)) {
                    candidates.add(u);
                }
            }
            if (candidates.isEmpty()) {
                candidates.addAll(instances);
            }
        }
        URI chosen;
        if (candidates.size() == 1) {
            chosen = candidates.get(0);
        } else if (settings.policy() == Policy.LEAST_OUTSTANDING) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            URI a = candidates.get(random.nextInt(candidates.size()));
            URI b = candidates.get(random.nextInt(candidates.size() - 1));
            if (b.equals(a)) {
                b = candidates.get(candidates.size() - 1);
            }
            chosen = stats(a).outstanding.get() <= stats(b).outstanding.get() ? a : b;
        } else {
            chosen = candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
        }
        call.markTried(chosen);
        return chosen;
    }

    /** An attempt on the instance starts. */
    void started(URI instance) {
        stats(instance).outstanding.incrementAndGet();
    }

    /** An attempt on the instance ended, whatever its outcome. */
    void release(URI instance) {
        Stats s = stats.get(instance);
        if (s != null) {
            s.outstanding.updateAndGet(n -> Math.max(0, n - 1));
        }
    }

    /** An attempt succeeded: the instance's run of failures ends. */
    void succeeded(URI instance) {
        Stats s = stats.get(instance);
        if (s == null) {
            return;
        }
        long now = System.nanoTime();
        synchronized (this) {
            s.failures = 0;
            if (s.ejections > 0 && s.lastEjectionEnd != 0 && now - s.lastEjectionEnd > settings.maxEjection().toNanos()) {
                s.ejections = 0; // healthy for a long while: the next ejection is short again
            }
        }
    }

    /**
     * An attempt failed (a transport failure or a 5xx); after {@code consecutiveFailures} in a row the instance is
     * ejected, unless that would eject more than the allowed share of {@code instances}. One lock for the check,
     * the count and the ejection, so that concurrent failures cannot pass the cap together.
     */
    void failed(URI instance, List<URI> instances) {
        Stats s = stats.get(instance);
        if (s == null) {
            return;
        }
        long now = System.nanoTime();
        long duration;
        synchronized (this) {
            if (++s.failures < settings.consecutiveFailures() || s.ejected(now)) {
                return;
            }
            int ejected = 0;
            for (URI u : instances) {
                Stats other = stats.get(u);
                if (other != null && other.ejected(now)) {
                    ejected++;
                }
            }
            if (ejected + 1 > Math.max(1, instances.size()) * settings.maxEjectedPercent() / 100) {
                return; // ejecting it would leave too few: it stays in rotation
            }
            s.ejections++;
            duration = ejection.delayNanos(s.ejections);
            s.ejectedUntil = now + duration;
            s.lastEjectionEnd = s.ejectedUntil;
            s.failures = 0;
        }
        LOG.log(Level.WARNING, "{0}: instance {1} failed {2} calls in a row; not used for {3} ms", target, instance,
                settings.consecutiveFailures(), duration / 1_000_000);
    }

    /** Whether the instance is ejected now (for tests and metrics). */
    boolean ejected(URI instance) {
        Stats s = stats.get(instance);
        return s != null && s.ejected(System.nanoTime());
    }
}
