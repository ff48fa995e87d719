package dev.chassis.resilience.internal;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeoutException;

import dev.chassis.core.Problem;
import dev.chassis.core.client.ClientException;
import dev.chassis.core.client.ClientTimeoutException;
import dev.chassis.core.config.Config;
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
 * Built once per method at start-up. Client circuits, bulkheads, limiters and retry budgets are shared by
 * every method of a target. Not API.
 */
final class PolicyDecorator implements CallDecorator {
    private static final System.Logger LOG = System.getLogger(PolicyDecorator.class.getName());

    private final Config config;
    private final Clock clock;
    private final Map<String, Object> shared = new ConcurrentHashMap<>();

    PolicyDecorator(Config config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    @Override
    public Invocation decorate(CallSite site, Invocation next) {
        Policy p = new Policy(site, config);
        boolean client = site.kind() == CallSite.Kind.CLIENT;
        String pre = p.prefix();
        Invocation inv = next;

        Bulkhead bh = p.annotation(Bulkhead.class).orElse(null);
        if (bh != null || p.configured("bulkhead")) {
            io.github.resilience4j.bulkhead.Bulkhead bulkhead = shareable(client, site, "bulkhead", () ->
                    io.github.resilience4j.bulkhead.Bulkhead.of(name(site), BulkheadConfig.custom()
                            .maxConcurrentCalls(p.value(PolicySettings.maxConcurrent(pre), bh == null ? null : bh.maxConcurrent(), 25))
                            .maxWaitDuration(p.value(PolicySettings.maxWait(pre), bh == null ? null : bh.maxWait(), Duration.ZERO))
                            .build()));
            Invocation inner = inv;
            inv = call -> {
                try {
                    return bulkhead.executeCheckedSupplier(() -> inner.invoke(call));
                } catch (BulkheadFullException e) {
                    throw client ? new CallRejectedException(site.target(), "bulkhead full")
                            : Problem.unavailable("too many requests in progress; try again shortly", 1);
                } catch (Exception | Error e) {
                    throw e;
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
            };
        }

        TimeLimit tl = p.annotation(TimeLimit.class).orElse(null);
        Duration limit = p.value(PolicySettings.timeLimit(pre), tl == null ? null : tl.value(), null);
        if (limit != null) {
            io.github.resilience4j.timelimiter.TimeLimiter limiter = io.github.resilience4j.timelimiter.TimeLimiter.of(
                    name(site), TimeLimiterConfig.custom().timeoutDuration(limit).cancelRunningFuture(true).build());
            Invocation inner = inv;
            inv = call -> {
                try {
                    return limiter.executeFutureSupplier(() -> {
                        FutureTask<Object> task = new FutureTask<>(() -> inner.invoke(call));
                        Thread.ofVirtual().name("time-limited-" + site.key()).start(task);
                        return task;
                    });
                } catch (TimeoutException | CancellationException e) {
                    throw client ? new ClientTimeoutException(site.target(), site.describe() + " took longer than " + limit, e)
                            : Problem.unavailable("the request took longer than " + limit.toMillis() + " ms", 1);
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            };
        }

        RateLimiter rl = p.annotation(RateLimiter.class).orElse(null);
        if (rl != null || p.configured("rate-limiter")) {
            Duration period = p.value(PolicySettings.period(pre), rl == null ? null : rl.period(), Duration.ofSeconds(1));
            io.github.resilience4j.ratelimiter.RateLimiter limiter = shareable(client, site, "rate-limiter", () ->
                    io.github.resilience4j.ratelimiter.RateLimiter.of(name(site), RateLimiterConfig.custom()
                            .limitForPeriod(p.value(PolicySettings.limit(pre), rl == null ? null : rl.limit(), 100))
                            .limitRefreshPeriod(period)
                            .timeoutDuration(p.value(PolicySettings.limiterTimeout(pre), rl == null ? null : rl.timeout(),
                                    Duration.ZERO))
                            .build()));
            String retryAfter = Long.toString(Math.max(1, (period.toMillis() + 999) / 1000));
            Invocation inner = inv;
            inv = call -> {
                try {
                    return limiter.executeCheckedSupplier(() -> inner.invoke(call));
                } catch (RequestNotPermitted e) {
                    throw client ? new CallRejectedException(site.target(), "rate limit reached")
                            : Problem.builder(429).detail("rate limit reached; try again later")
                                    .header("Retry-After", retryAfter).build();
                } catch (Exception | Error e) {
                    throw e;
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
            };
        }

        CircuitBreaker cb = p.annotation(CircuitBreaker.class).orElse(null);
        Boolean breakerOn = p.value(PolicySettings.breakerEnabled(pre), null, null);
        if ((cb != null || p.configured("circuit-breaker")) && !Boolean.FALSE.equals(breakerOn)) {
            Duration wait = p.value(PolicySettings.waitInOpen(pre), cb == null ? null : cb.waitInOpen(), Duration.ofSeconds(10));
            io.github.resilience4j.circuitbreaker.CircuitBreaker breaker = shareable(client, site, "circuit-breaker", () -> {
                PolicySettings.WindowType type = p.value(PolicySettings.windowType(pre), cb == null ? null : cb.windowType(),
                        PolicySettings.WindowType.COUNT);
                CircuitBreakerConfig cfg = CircuitBreakerConfig.custom()
                        .failureRateThreshold(p.value(PolicySettings.failureRate(pre),
                                cb == null ? null : cb.failureRateThreshold(), 50))
                        .slidingWindowType(type == PolicySettings.WindowType.TIME
                                ? CircuitBreakerConfig.SlidingWindowType.TIME_BASED
                                : CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                        .slidingWindowSize(p.value(PolicySettings.windowSize(pre), cb == null ? null : cb.windowSize(), 20))
                        .minimumNumberOfCalls(p.value(PolicySettings.minimumCalls(pre), cb == null ? null : cb.minimumCalls(), 10))
                        .waitDurationInOpenState(wait)
                        .permittedNumberOfCallsInHalfOpenState(p.value(PolicySettings.halfOpenCalls(pre),
                                cb == null ? null : cb.halfOpenCalls(), 3))
                        .recordException(client ? PolicyDecorator::clientFailure : PolicyDecorator::handlerFailure)
                        .clock(clock)
                        .currentTimestampFunction(c -> c.millis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                        .build();
                io.github.resilience4j.circuitbreaker.CircuitBreaker b =
                        io.github.resilience4j.circuitbreaker.CircuitBreaker.of(name(site), cfg);
                b.getEventPublisher().onStateTransition(e -> LOG.log(Level.INFO, "circuit breaker {0}: {1}",
                        e.getCircuitBreakerName(), e.getStateTransition()));
                return b;
            });
            Invocation inner = inv;
            inv = call -> {
                try {
                    return breaker.executeCheckedSupplier(() -> inner.invoke(call));
                } catch (CallNotPermittedException e) {
                    throw client ? new CircuitOpenException(site.target(), wait)
                            : Problem.builder(503).detail("this operation is failing; it is suspended for a while")
                                    .header("Retry-After", Long.toString(Math.max(1, (wait.toMillis() + 999) / 1000)))
                                    .build();
                } catch (Exception | Error e) {
                    throw e;
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
            };
        }

        Retry r = p.annotation(Retry.class).orElse(null);
        Boolean retryOn = p.value(PolicySettings.retryEnabled(pre), null, null);
        boolean wantRetry = client ? !Boolean.FALSE.equals(retryOn)
                : (r != null || p.configured("retry")) && !Boolean.FALSE.equals(retryOn);
        if (wantRetry) {
            inv = retrying(site, p, r, inv);
        }
        return inv;
    }

    private Invocation retrying(CallSite site, Policy p, Retry r, Invocation inner) {
        String pre = p.prefix();
        boolean client = site.kind() == CallSite.Kind.CLIENT;
        int maxAttempts = p.value(PolicySettings.maxAttempts(pre), r == null ? null : r.maxAttempts(), 3);
        Duration backoff = p.value(PolicySettings.backoff(pre), r == null ? null : r.backoff(), Duration.ofMillis(100));
        Duration maxBackoff = p.value(PolicySettings.maxBackoff(pre), r == null ? null : r.maxBackoff(), Duration.ofSeconds(2));
        double multiplier = p.value(PolicySettings.multiplier(pre), r == null ? null : r.multiplier(), 2.0);
        double jitter = p.value(PolicySettings.jitter(pre), r == null ? null : r.jitter(), 0.5);
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
                    return result;
                } catch (Exception e) {
                    boolean allowed = client
                            ? call.idempotent() && e instanceof ClientException ce && ce.retryable()
                            : !(e instanceof Problem problem && problem.status() < 500);
                    if (!allowed || attempt >= maxAttempts || (budget != null && !budget.tryAcquireRetry())) {
                        throw e;
                    }
                    context.onError(e); // waits the back-off
                }
            }
        };
    }

    @SuppressWarnings("unchecked")
    private <T> T shareable(boolean perTarget, CallSite site, String kind, java.util.function.Supplier<T> create) {
        if (!perTarget) {
            return create.get();
        }
        return (T) shared.computeIfAbsent(kind + ":" + site.target(), k -> create.get());
    }

    private static String name(CallSite site) {
        return (site.kind() == CallSite.Kind.CLIENT ? "client:" : "handler:") + site.key();
    }

    private static boolean clientFailure(Throwable t) {
        return t instanceof ClientException ce && ce.targetFailure();
    }

    private static boolean handlerFailure(Throwable t) {
        return !(t instanceof Problem p && p.status() < 500);
    }
}
