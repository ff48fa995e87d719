package dev.chassis.resilience.internal;

import java.lang.annotation.Annotation;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.chassis.core.config.Setting;
import dev.chassis.core.http.BindingException;
import dev.chassis.core.spi.CallSite;
import dev.chassis.core.spi.Invocation;
import io.github.resilience4j.core.functions.CheckedSupplier;

/**
 * What the policies of one service share: the clock, the metrics, the objects a client target shares across
 * its methods (circuit breaker, bulkhead, rate limiter, retry budget), and the rules every policy follows.
 * Thread-safe. Not API.
 */
final class PolicySupport {
    private final Clock clock;
    private final PolicyMetrics metrics;
    private final Map<String, Object> shared = new ConcurrentHashMap<>();

    PolicySupport(Clock clock, PolicyMetrics metrics) {
        this.clock = clock;
        this.metrics = metrics;
    }

    Clock clock() {
        return clock;
    }

    PolicyMetrics metrics() {
        return metrics;
    }

    /** The object a client target shares across its methods, created once; a new one for a handler. */
    @SuppressWarnings("unchecked")
    <T> T shareable(CallSite site, String kind, Supplier<T> create) {
        if (site.kind() != CallSite.Kind.CLIENT) {
            return create.get();
        }
        return (T) shared.computeIfAbsent(kind + ":" + site.target(), k -> create.get());
    }

    /** A shared policy's annotation: the interface's for clients (refused on a client method), the method's or class's for handlers. */
    static <A extends Annotation> Optional<A> sharedAnnotation(CallSite site, Policy p, Class<A> type) {
        if (site.kind() == CallSite.Kind.HANDLER) {
            return p.annotation(type);
        }
        if (site.method().isAnnotationPresent(type)) {
            throw new BindingException(site.describe() + " has @" + type.getSimpleName() + ", but a client target has one "
                    + type.getSimpleName() + " for all its methods. Fix: put it on the interface, or configure clients."
                    + site.target() + ".*");
        }
        return p.typeAnnotation(type);
    }

    /** A policy applies when annotated or configured, unless {@code <policy>.enabled} is false. */
    static boolean enabled(Policy p, boolean annotated, String policy, Setting<Boolean> enabledKey) {
        Boolean on = p.value(enabledKey, null);
        return (annotated || p.configured(policy)) && !Boolean.FALSE.equals(on);
    }

    /** The name of a call site's policies: {@code client:<target>} or {@code handler:<key>}. */
    static String name(CallSite site) {
        return site.kind() == CallSite.Kind.CLIENT ? "client:" + site.target() : "handler:" + site.key();
    }

    /** A {@code Retry-After} value: whole seconds, rounded up, at least 1. */
    static String seconds(Duration d) {
        long nanos = d.toNanos();
        return Long.toString(Math.max(1, nanos / 1_000_000_000L + (nanos % 1_000_000_000L > 0 ? 1 : 0)));
    }

    /** A Resilience4j decoration ({@code executeCheckedSupplier}) of an invocation. */
    @FunctionalInterface
    interface Decoration {
        Object execute(CheckedSupplier<Object> call) throws Throwable;
    }

    /** Runs the invocation through the decoration; its refusal becomes {@code refuse}'s exception. */
    static <E extends Throwable> Invocation guarded(Invocation inner, Decoration decoration, Class<E> refusal,
                                                    Function<E, RuntimeException> refuse) {
        return call -> {
            try {
                return decoration.execute(() -> inner.invoke(call));
            } catch (Exception | Error e) {
                if (refusal.isInstance(e)) {
                    throw refuse.apply(refusal.cast(e));
                }
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        };
    }
}
