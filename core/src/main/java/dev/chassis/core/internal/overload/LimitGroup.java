package dev.chassis.core.internal.overload;

import java.util.Optional;
import java.util.function.BooleanSupplier;

import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;

/**
 * One concurrency limit: the service's, or a group's. A request or call {@linkplain #tryAcquire() acquires} a
 * permit before its handler runs and gives it back when it is answered; above the limit it gets none and is counted
 * as shed. Thread-safe. Not API.
 */
public final class LimitGroup {
    /** The attribute naming the group in the metrics. */
    public static final AttributeKey<String> GROUP = AttributeKey.stringKey("chassis.concurrency.group");

    private final String name;
    private final SimpleLimiter<Void> limiter;
    private final LongCounter shed;
    private final Attributes attributes;
    private final BooleanSupplier saturated;

    /**
     * @param saturated whether the scheduler is saturated (then every request is refused), or null when no such
     *                  check is on
     */
    LimitGroup(String name, SimpleLimiter<Void> limiter, LongCounter shed, BooleanSupplier saturated) {
        this.saturated = saturated;
        this.name = name;
        this.limiter = limiter;
        this.shed = shed;
        this.attributes = Attributes.of(GROUP, name);
    }

    /**
     * A permit, or null when the limit is reached (the refusal is counted). The holder must end it exactly once:
     * {@link Limiter.Listener#onSuccess()} when answered (its latency is a sample the limit learns from),
     * {@link Limiter.Listener#onIgnore()} when its latency says nothing of the service's (it failed, or was a
     * stream), {@link Limiter.Listener#onDropped()} when it timed out.
     */
    public Limiter.Listener tryAcquire() {
        if (saturated != null && saturated.getAsBoolean()) {
            shed.add(1, attributes);
            return null;
        }
        Optional<Limiter.Listener> permit = limiter.acquire(null);
        if (permit.isEmpty()) {
            shed.add(1, attributes);
            return null;
        }
        return permit.get();
    }

    /** The group's name: {@value ConcurrencyLimits#SERVICE_GROUP} or a configured group's. */
    public String name() {
        return name;
    }

    /** The current limit. */
    public int limit() {
        return limiter.getLimit();
    }

    /** The permits held now. */
    public int inFlight() {
        return limiter.getInflight();
    }

    Attributes attributes() {
        return attributes;
    }
}
