package dev.chassis.resilience.internal;

import java.lang.System.Logger.Level;
import java.time.Duration;

import dev.chassis.core.http.BindingException;
import dev.chassis.core.spi.CallSite;
import dev.chassis.core.spi.Invocation;
import dev.chassis.resilience.Retry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.RetryConfig;

/**
 * Repeats a failed call with exponential back-off and jitter (Resilience4j retry) when the
 * {@link FailureClassifier} says the failure is retryable. Every client retries by default, only idempotent
 * calls and within its target's retry budget; a handler retries when annotated or configured. Per method.
 * Not API.
 */
final class RetryPolicy {
    private static final System.Logger LOG = System.getLogger(RetryPolicy.class.getName());

    private RetryPolicy() {
    }

    /**
     * {@code inner} with retries when they apply, else {@code inner} itself.
     *
     * @throws BindingException when the back-off is longer than its maximum
     */
    static Invocation apply(PolicySupport support, CallSite site, Policy p, Invocation inner) {
        String pre = p.prefix();
        boolean client = site.kind() == CallSite.Kind.CLIENT;
        Retry r = p.annotation(Retry.class).orElse(null);
        Boolean on = p.value(PolicySettings.retryEnabled(pre), null);
        Boolean mesh = client ? p.value(PolicySettings.retryMesh(pre), null) : Boolean.FALSE;
        if (Boolean.TRUE.equals(mesh) || mesh == null && p.global(PolicySettings.MESH_RETRIES)) {
            return inner; // the mesh retries: one attempt here, and no retry budget spent
        }
        boolean want = client ? !Boolean.FALSE.equals(on)
                : PolicySupport.enabled(p, r != null, "retry", PolicySettings.retryEnabled(pre));
        if (!want) {
            return inner;
        }
        int maxAttempts = p.value(PolicySettings.maxAttempts(pre), r == null ? null : r.maxAttempts());
        Duration backoff = p.value(PolicySettings.backoff(pre), r == null ? null : r.backoff());
        Duration maxBackoff = p.value(PolicySettings.maxBackoff(pre), r == null ? null : r.maxBackoff());
        double multiplier = p.value(PolicySettings.multiplier(pre), r == null ? null : r.multiplier());
        double jitter = p.value(PolicySettings.jitter(pre), r == null ? null : r.jitter());
        if (backoff.compareTo(maxBackoff) > 0) {
            throw new BindingException(site.describe() + ": the retry back-off (" + backoff + ") is longer than its maximum ("
                    + maxBackoff + "). Fix: make " + p.key(PolicySettings.backoff(pre)) + " at most "
                    + p.key(PolicySettings.maxBackoff(pre)));
        }
        if (maxAttempts == 1) {
            return inner;
        }
        io.github.resilience4j.retry.Retry retry = io.github.resilience4j.retry.Retry.of(PolicySupport.name(site), // CHECKSTYLE:FQN-OK
                RetryConfig.custom()
                        .maxAttempts(maxAttempts)
                        .intervalFunction(jitter > 0
                                ? IntervalFunction.ofExponentialRandomBackoff(backoff, multiplier, jitter, maxBackoff)
                                : IntervalFunction.ofExponentialBackoff(backoff, multiplier, maxBackoff))
                        .retryOnException(e -> true) // which failures are retried is decided below, per call
                        .failAfterMaxAttempts(false)
                        .build());
        retry.getEventPublisher().onRetry(e -> LOG.log(Level.DEBUG, "retrying {0} (attempt {1}) after {2}", e.getName(),
                e.getNumberOfRetryAttempts(), String.valueOf(e.getLastThrowable())));
        PolicyMetrics metrics = support.metrics();
        RetryBudget budget = client ? support.shareable(site, "retry-budget", () -> {
            RetryBudget b = new RetryBudget(p.value(PolicySettings.budgetRatio(pre), null),
                    p.value(PolicySettings.budgetMinPerSecond(pre), null), support.clock());
            metrics.watch(site.target(), b); // once per target: the budget is shared by its clients
            return b;
        }) : null;
        FailureClassifier failures = FailureClassifier.of(site);
        return call -> {
            if (client && !call.idempotent()) {
                return inner.invoke(call); // the standard: never retry what is not safe to repeat
            }
            if (budget != null) {
                budget.recordRequest();
            }
            io.github.resilience4j.retry.Retry.Context<Object> context = retry.context(); // CHECKSTYLE:FQN-OK
            int attempt = 0;
            while (true) {
                attempt++;
                try {
                    Object result = inner.invoke(call);
                    context.onComplete();
                    metrics.retried(retry.getName(), attempt, true);
                    return result;
                } catch (Exception e) {
                    if (!failures.retryable(e) || attempt >= maxAttempts || (budget != null && !budget.tryAcquireRetry())) {
                        metrics.retried(retry.getName(), attempt, false);
                        throw e;
                    }
                    context.onError(e); // waits the back-off
                }
            }
        };
    }
}
