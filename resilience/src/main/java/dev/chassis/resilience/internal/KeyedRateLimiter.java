package dev.chassis.resilience.internal;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A rate limit per client: each key (a client address, a caller) may make {@code limit} calls per period, counted
 * in fixed periods as Resilience4j's own limiter counts them. Memory is bounded: at most about {@code maxKeys}
 * clients are tracked at once; when the table is full, clients that made no call in the whole last period are
 * forgotten (at most once a period) — clients that keep calling keep their place — and a client that still finds no
 * room shares the limit of one of {@link #OVERFLOW_BUCKETS} buckets, chosen by a hash with a per-process seed, until
 * room is made. So a flood of new addresses can neither grow the table nor escape the limit, nor evict the clients
 * already tracked. Thread-safe and lock-free on the path of a tracked client. Not API.
 */
final class KeyedRateLimiter {
    /** A window is one long: the period's number above these bits, the calls counted in it below. */
    private static final int COUNT_BITS = 21;
    private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;

    private final String name;
    private final int limit;
    private final long periodNanos;
    private final int maxKeys;
    private final LongSupplier nanos;
    private final long start;
    /** How many shared windows the clients the full table has no room for are spread over. */
    static final int OVERFLOW_BUCKETS = 64;

    private final ConcurrentHashMap<String, AtomicLong> windows = new ConcurrentHashMap<>();
    /** The windows of the clients the full table has no room for. */
    private final AtomicLong[] overflow = new AtomicLong[OVERFLOW_BUCKETS];
    private final int seed = ThreadLocalRandom.current().nextInt();
    /** The last period in which forgotten clients were purged from a full table. */
    private final AtomicLong purged = new AtomicLong(-1);
    private final AtomicBoolean warned = new AtomicBoolean();

    KeyedRateLimiter(String name, int limit, Duration period, int maxKeys, LongSupplier nanos) {
        if (limit < 1 || limit > COUNT_MASK) {
            throw new IllegalArgumentException("limit must be 1–" + COUNT_MASK + ", was " + limit);
        }
        this.name = name;
        this.limit = limit;
        this.periodNanos = Math.max(1, period.toNanos());
        this.maxKeys = maxKeys;
        this.nanos = nanos;
        this.start = nanos.getAsLong();
        for (int i = 0; i < overflow.length; i++) {
            overflow[i] = new AtomicLong();
        }
    }

    /**
     * Counts a call of {@code key}: 0 when it is allowed, else how many nanoseconds remain until the key's next
     * period (when it may call again).
     */
    long acquire(String key) {
        long now = nanos.getAsLong() - start;
        long cycle = now / periodNanos;
        AtomicLong window = windows.get(key);
        if (window == null) {
            window = admit(key, cycle);
        }
        while (true) {
            long v = window.get();
            long counted = v >>> COUNT_BITS;
            if (counted < cycle) {
                if (window.compareAndSet(v, (cycle << COUNT_BITS) | 1)) {
                    return 0;
                }
            } else if ((v & COUNT_MASK) >= limit) {
                // full in the period counted: this one, or a newer one a thread that read the clock later moved to
                return Math.max(1, (counted + 1) * periodNanos - now);
            } else if (window.compareAndSet(v, v + 1)) {
                return 0;
            }
        }
    }

    /** Clients tracked now, for the metrics. */
    int tracked() {
        return windows.size();
    }

    /** The overflow bucket of a key: its hash mixed with the seed, so that which keys share one cannot be planned. */
    private int bucket(String key) {
        int h = key.hashCode() + seed;
        h = (h ^ (h >>> 16)) * 0x85EBCA6B;
        h = (h ^ (h >>> 13)) * 0xC2B2AE35;
        return Math.floorMod(h ^ (h >>> 16), OVERFLOW_BUCKETS);
    }

    /** A new key's window: its own while the table has room, else a shared one. */
    private AtomicLong admit(String key, long cycle) {
        if (windows.size() >= maxKeys) {
            long last = purged.get();
            if (last < cycle && purged.compareAndSet(last, cycle)) {
                windows.values().removeIf(w -> w.get() >>> COUNT_BITS < cycle - 1); // no call in the whole last period
            }
            if (windows.size() >= maxKeys) {
                if (warned.compareAndSet(false, true)) {
                    System.getLogger(KeyedRateLimiter.class.getName()).log(System.Logger.Level.WARNING,
                            "rate limiter {0} tracks {1} clients, its maximum (rate-limiter.max-clients): more clients"
                                    + " share " + OVERFLOW_BUCKETS + " limits until some fall idle", name, maxKeys);
                }
                return overflow[bucket(key)];
            }
        }
        return windows.computeIfAbsent(key, k -> new AtomicLong(cycle << COUNT_BITS));
    }
}
