package dev.chassis.resilience.internal;

import java.lang.System.Logger.Level;
import java.lang.annotation.Annotation;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.chassis.core.Problem;
import dev.chassis.core.ProblemSource;
import dev.chassis.core.client.ClientException;
import dev.chassis.core.client.ClientTimeoutException;
import dev.chassis.core.config.Config;
import dev.chassis.core.http.BindingException;
import dev.chassis.core.spi.CallDecorator;
import dev.chassis.core.spi.CallSite;
import dev.chassis.core.spi.Invocation;
import dev.chassis.resilience.Bulkhead;
import dev.chassis.resilience.CallRejectedException;
import dev.chassis.resilience.CircuitBreaker;
import dev.chassis.resilience.CircuitOpenException;
import dev.chassis.resilience.RateLimiter;
import dev.chassis.resilience.Retry;
import dev.chassis.resilience.TimeLimit;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;

/**
 * Wraps each handler and client method with the Resilience4j policies its annotations and configuration
 * ask for, in Resilience4j's recommended order: Retry(CircuitBreaker(RateLimiter(TimeLimiter(Bulkhead(call))))).
 * Built once per method at start-up.
 *
 * <p>A client target has one circuit breaker, bulkhead, rate limiter and retry budget, shared by every
 * method that calls it; they are configured by {@code clients.<target>.*} and by annotations on the client
 * interface (an annotation for them on a client method is refused: it cannot configure a shared object).
 * Retries and time limits are per method. Handler policies are per method. Not API.
 */
final class PolicyDecorator implements CallDecorator {
    private static final System.Logger LOG = System.getLogger(PolicyDecorator.class.getName());
    private static final ThreadFactory TIME_LIMITED = Thread.ofVirtual().name("time-limited-", 0).factory();

    private final Config config;
    private final Clock clock;
    private final Map<String, Object> shared = new ConcurrentHashMap<>();
    private final Set<String> handlerKeys = ConcurrentHashMap.newKeySet();
    private final Set<String> clientTargets = ConcurrentHashMap.newKeySet();

    private final PolicyMetrics metrics;

    PolicyDecorator(Config config, Clock clock, PolicyMetrics metrics) {
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Handler keys ({@code order-api.place}) and client targets seen so far, to find typos in configuration. */
    Set<String> handlerKeys() {
        return handlerKeys;
    }

    Set<String> clientTargets() {
        return clientTargets;
    }

    @Override
    public Invocation decorate(CallSite site, Invocation next) {
        Policy p = new Policy(site, config);
        boolean client = site.kind() == CallSite.Kind.CLIENT;
        (client ? clientTargets : handlerKeys).add(site.key());
        Invocation inv = next;
        inv = bulkhead(site, p, client, inv);
        inv = timeLimit(site, p, client, inv);
        inv = rateLimiter(site, p, client, inv);
        inv = circuitBreaker(site, p, client, inv);
        inv = retry(site, p, client, inv);
        return inv;
    }

    /** A shared policy's annotation: the interface's for clients (refused on a client method), the method's or class's for handlers. */
    private <A extends Annotation> Optional<A> sharedAnnotation(CallSite site, Policy p, Class<A> type) {
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

    private Invocation bulkhead(CallSite site, Policy p, boolean client, Invocation inner) {
        String pre = p.prefix();
        Bulkhead bh = sharedAnnotation(site, p, Bulkhead.class).orElse(null);
        if (!enabled(p, bh != null, "bulkhead", PolicySettings.bulkheadEnabled(pre))) {
            return inner;
        }
        int max = p.value(PolicySettings.maxConcurrent(pre), bh == null ? null : bh.maxConcurrent(), 25);
        Duration wait = p.value(PolicySettings.maxWait(pre), bh == null ? null : bh.maxWait(), Duration.ZERO);
        io.github.resilience4j.bulkhead.Bulkhead bulkhead = shareable(client, site, "bulkhead", () -> {
            io.github.resilience4j.bulkhead.Bulkhead b = io.github.resilience4j.bulkhead.Bulkhead.of(name(site),
                    BulkheadConfig.custom().maxConcurrentCalls(max).maxWaitDuration(wait).writableStackTraceEnabled(false)
                            .build());
            metrics.watch(b);
            return b;
        });
        return guarded(inner, bulkhead::executeCheckedSupplier, BulkheadFullException.class,
                e -> client ? new CallRejectedException(site.target(), "bulkhead full")
                        : Problem.unavailable("too many requests in progress; try again shortly", 1));
    }

    private Invocation timeLimit(CallSite site, Policy p, boolean client, Invocation inner) {
        TimeLimit tl = p.annotation(TimeLimit.class).orElse(null);
        Duration limit = p.value(PolicySettings.timeLimit(p.prefix()), tl == null ? null : tl.value(), null);
        if (limit == null || limit.isZero()) {
            return inner;
        }
        io.github.resilience4j.timelimiter.TimeLimiter limiter = io.github.resilience4j.timelimiter.TimeLimiter.of(
                name(site), TimeLimiterConfig.custom().timeoutDuration(limit).cancelRunningFuture(true).build());
        return call -> {
            FutureTask<Object> task = new FutureTask<>(() -> inner.invoke(call));
            try {
                return limiter.executeFutureSupplier(() -> {
                    TIME_LIMITED.newThread(task).start();
                    return task;
                });
            } catch (TimeoutException e) {
                throw client ? new ClientTimeoutException(site.target(), site.describe() + " took longer than " + limit, e)
                        : Problem.unavailable("the request took longer than " + limit.toMillis() + " ms", 1);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            } catch (InterruptedException e) {
                task.cancel(true); // we are being stopped: stop the work we started too
                Thread.currentThread().interrupt();
                throw client ? new ClientTimeoutException(site.target(), site.describe() + " was interrupted", e)
                        : Problem.unavailable("the request was interrupted", 1);
            }
        };
    }

    private Invocation rateLimiter(CallSite site, Policy p, boolean client, Invocation inner) {
        String pre = p.prefix();
        RateLimiter rl = sharedAnnotation(site, p, RateLimiter.class).orElse(null);
        if (!enabled(p, rl != null, "rate-limiter", PolicySettings.limiterEnabled(pre))) {
            return inner;
        }
        Duration period = p.value(PolicySettings.period(pre), rl == null ? null : rl.period(), Duration.ofSeconds(1));
        int limit = p.value(PolicySettings.limit(pre), rl == null ? null : rl.limit(), 100);
        Duration timeout = p.value(PolicySettings.limiterTimeout(pre), rl == null ? null : rl.timeout(), Duration.ZERO);
        io.github.resilience4j.ratelimiter.RateLimiter limiter = shareable(client, site, "rate-limiter", () -> {
            io.github.resilience4j.ratelimiter.RateLimiter l = io.github.resilience4j.ratelimiter.RateLimiter.of(name(site),
                    RateLimiterConfig.custom().limitForPeriod(limit).limitRefreshPeriod(period).timeoutDuration(timeout)
                            .writableStackTraceEnabled(false).build());
            metrics.watch(l);
            return l;
        });
        String retryAfter = seconds(period);
        return guarded(inner, limiter::executeCheckedSupplier, RequestNotPermitted.class,
                e -> client ? new CallRejectedException(site.target(), "rate limit reached")
                        : Problem.builder(429).detail("rate limit reached; try again later")
                                .header("Retry-After", retryAfter).build());
    }

    private Invocation circuitBreaker(CallSite site, Policy p, boolean client, Invocation inner) {
        String pre = p.prefix();
        CircuitBreaker cb = sharedAnnotation(site, p, CircuitBreaker.class).orElse(null);
        if (!enabled(p, cb != null, "circuit-breaker", PolicySettings.breakerEnabled(pre))) {
            return inner;
        }
        Duration wait = p.value(PolicySettings.waitInOpen(pre), cb == null ? null : cb.waitInOpen(), Duration.ofSeconds(10));
        PolicySettings.WindowType type = p.value(PolicySettings.windowType(pre), cb == null ? null : cb.windowType(),
                PolicySettings.WindowType.COUNT);
        int windowSize = p.value(PolicySettings.windowSize(pre), cb == null ? null : cb.windowSize(), 20);
        int minimumCalls = p.value(PolicySettings.minimumCalls(pre), cb == null ? null : cb.minimumCalls(), 10);
        if (type == PolicySettings.WindowType.COUNT && minimumCalls > windowSize) {
            throw new BindingException(site.describe() + ": the circuit breaker's minimum-calls (" + minimumCalls
                    + ") is larger than its count window (" + windowSize + "), so it could never open. Fix: make "
                    + p.key(PolicySettings.minimumCalls(pre)) + " at most " + p.key(PolicySettings.windowSize(pre)));
        }
        int threshold = p.value(PolicySettings.failureRate(pre), cb == null ? null : cb.failureRateThreshold(), 50);
        int halfOpen = p.value(PolicySettings.halfOpenCalls(pre), cb == null ? null : cb.halfOpenCalls(), 3);
        io.github.resilience4j.circuitbreaker.CircuitBreaker breaker = shareable(client, site, "circuit-breaker", () -> {
            CircuitBreakerConfig cfg = CircuitBreakerConfig.custom()
                    .failureRateThreshold(threshold)
                    .slidingWindowType(type == PolicySettings.WindowType.TIME
                            ? CircuitBreakerConfig.SlidingWindowType.TIME_BASED
                            : CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                    .slidingWindowSize(windowSize)
                    .minimumNumberOfCalls(minimumCalls)
                    .waitDurationInOpenState(wait)
                    .permittedNumberOfCallsInHalfOpenState(halfOpen)
                    .recordException(client ? PolicyDecorator::clientFailure : PolicyDecorator::handlerFailure)
                    .ignoreException(client ? PolicyDecorator::clientIgnored : PolicyDecorator::handlerIgnored)
                    .writableStackTraceEnabled(false)
                    .clock(clock)
                    .currentTimestampFunction(Clock::millis, java.util.concurrent.TimeUnit.MILLISECONDS)
                    .build();
            io.github.resilience4j.circuitbreaker.CircuitBreaker b =
                    io.github.resilience4j.circuitbreaker.CircuitBreaker.of(name(site), cfg);
            b.getEventPublisher().onStateTransition(e -> LOG.log(Level.INFO, "circuit breaker {0}: {1}",
                    e.getCircuitBreakerName(), e.getStateTransition()));
            metrics.watch(b);
            return b;
        });
        String retryAfter = seconds(wait);
        return guarded(inner, breaker::executeCheckedSupplier, CallNotPermittedException.class,
                e -> client ? new CircuitOpenException(site.target(), wait)
                        : Problem.builder(503).detail("this operation is failing; it is suspended for a while")
                                .header("Retry-After", retryAfter).build());
    }

    private Invocation retry(CallSite site, Policy p, boolean client, Invocation inner) {
        String pre = p.prefix();
        Retry r = p.annotation(Retry.class).orElse(null);
        Boolean on = p.value(PolicySettings.retryEnabled(pre), null, null);
        boolean want = client ? !Boolean.FALSE.equals(on) : enabled(p, r != null, "retry", PolicySettings.retryEnabled(pre));
        if (!want) {
            return inner;
        }
        int maxAttempts = p.value(PolicySettings.maxAttempts(pre), r == null ? null : r.maxAttempts(), 3);
        Duration backoff = p.value(PolicySettings.backoff(pre), r == null ? null : r.backoff(), Duration.ofMillis(100));
        Duration maxBackoff = p.value(PolicySettings.maxBackoff(pre), r == null ? null : r.maxBackoff(), Duration.ofSeconds(2));
        double multiplier = p.value(PolicySettings.multiplier(pre), r == null ? null : r.multiplier(), 2.0);
        double jitter = p.value(PolicySettings.jitter(pre), r == null ? null : r.jitter(), 0.5);
        if (backoff.compareTo(maxBackoff) > 0) {
            throw new BindingException(site.describe() + ": the retry back-off (" + backoff + ") is longer than its maximum ("
                    + maxBackoff + "). Fix: make " + p.key(PolicySettings.backoff(pre)) + " at most "
                    + p.key(PolicySettings.maxBackoff(pre)));
        }
        if (maxAttempts == 1) {
            return inner;
        }
        io.github.resilience4j.retry.Retry retry = io.github.resilience4j.retry.Retry.of(name(site), RetryConfig.custom()
                .maxAttempts(maxAttempts)
                .intervalFunction(jitter > 0
                        ? IntervalFunction.ofExponentialRandomBackoff(backoff, multiplier, jitter, maxBackoff)
                        : IntervalFunction.ofExponentialBackoff(backoff, multiplier, maxBackoff))
                .retryOnException(e -> true) // which failures are retried is decided below, per call
                .failAfterMaxAttempts(false)
                .build());
        retry.getEventPublisher().onRetry(e -> LOG.log(Level.DEBUG, "retrying {0} (attempt {1}) after {2}", e.getName(),
                e.getNumberOfRetryAttempts(), String.valueOf(e.getLastThrowable())));
        RetryBudget budget = client ? shareable(true, site, "retry-budget", () -> new RetryBudget(
                p.value(PolicySettings.budgetRatio(pre), null, 0.2),
                p.value(PolicySettings.budgetMinPerSecond(pre), null, 10), clock)) : null;
        return call -> {
            if (client && !call.idempotent()) {
                return inner.invoke(call); // the standard: never retry what is not safe to repeat
            }
            if (budget != null) {
                budget.recordRequest();
            }
            io.github.resilience4j.retry.Retry.Context<Object> context = retry.context();
            int attempt = 0;
            while (true) {
                attempt++;
                try {
                    Object result = inner.invoke(call);
                    context.onComplete();
                    metrics.retried(retry.getName(), attempt, true);
                    return result;
                } catch (Exception e) {
                    boolean retryable = client ? e instanceof ClientException ce && ce.retryable() : handlerRetryable(e);
                    if (!retryable || attempt >= maxAttempts || (budget != null && !budget.tryAcquireRetry())) {
                        metrics.retried(retry.getName(), attempt, false);
                        throw e;
                    }
                    context.onError(e); // waits the back-off
                }
            }
        };
    }

    /** A Resilience4j decoration ({@code executeCheckedSupplier}) of an invocation. */
    @FunctionalInterface
    private interface Decoration {
        Object execute(io.github.resilience4j.core.functions.CheckedSupplier<Object> call) throws Throwable;
    }

    /** Runs the invocation through the decoration; its refusal becomes {@code refuse}'s exception. */
    private static <E extends Throwable> Invocation guarded(Invocation inner, Decoration decoration, Class<E> refusal,
                                                          java.util.function.Function<E, RuntimeException> refuse) {
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

    /** A policy applies when annotated or configured, unless {@code <policy>.enabled} is false. */
    private static boolean enabled(Policy p, boolean annotated, String policy,
                                   dev.chassis.core.config.Setting<Boolean> enabledKey) {
        Boolean on = p.value(enabledKey, null, null);
        return (annotated || p.configured(policy)) && !Boolean.FALSE.equals(on);
    }

    @SuppressWarnings("unchecked")
    private <T> T shareable(boolean perTarget, CallSite site, String kind, Supplier<T> create) {
        if (!perTarget) {
            return create.get();
        }
        return (T) shared.computeIfAbsent(kind + ":" + site.target(), k -> create.get());
    }

    private static String name(CallSite site) {
        return (site.kind() == CallSite.Kind.CLIENT ? "client:" + site.target() : "handler:" + site.key());
    }

    private static String seconds(Duration d) {
        return Long.toString(Math.max(1, (d.toMillis() + 999) / 1000));
    }

    /** What a handler's retry repeats: unexpected exceptions and 5xx problems — not a downstream's failures
     *  (the client already retried them), not 4xx, not the policies' own "not now" answers (429, 503). */
    private static boolean handlerRetryable(Exception e) {
        if (e instanceof ClientException) {
            return false;
        }
        Problem problem = e instanceof Problem pr ? pr : e instanceof ProblemSource ps ? ps.toProblem() : null;
        return problem == null || (problem.status() >= 500 && problem.status() != 503);
    }

    private static boolean clientFailure(Throwable t) {
        return t instanceof ClientException ce && ce.targetFailure();
    }

    /** Local refusals and non-client exceptions say nothing about the target: neither failure nor success. */
    private static boolean clientIgnored(Throwable t) {
        return !(t instanceof ClientException) || t instanceof CallRejectedException || t instanceof CircuitOpenException;
    }

    private static final Predicate<Throwable> NOT_NOW = t -> t instanceof Problem pr
            && (pr.status() == 429 || pr.status() == 503);

    private static boolean handlerFailure(Throwable t) {
        return !handlerIgnored(t) && !(t instanceof Problem pr && pr.status() < 500)
                && !(t instanceof ProblemSource ps && ps.toProblem().status() < 500);
    }

    private static boolean handlerIgnored(Throwable t) {
        return NOT_NOW.test(t);
    }
}
