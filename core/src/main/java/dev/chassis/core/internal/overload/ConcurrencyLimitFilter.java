package dev.chassis.core.internal.overload;

import com.netflix.concurrency.limits.Limiter;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Applies the {@link ConcurrencyLimits} to HTTP requests, before the extensions' filters and the handlers: a request
 * above its group's limit is answered at once — its body unread — with 503, {@code Retry-After} and the problem type
 * {@value #TYPE}, its connection kept open ({@link Refusal}). A request that was answered gives its latency to the
 * limit (a 504 counts as a drop); one that failed with an exception does not. Not API.
 */
public final class ConcurrencyLimitFilter implements Filter {
    /** The problem type of a refused request. */
    public static final String TYPE = Refusal.TYPE;

    private final ConcurrencyLimits limits;
    private final Refusal refusal;

    public ConcurrencyLimitFilter(ConcurrencyLimits limits) {
        this.limits = limits;
        this.refusal = new Refusal(limits.retryAfter());
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        LimitGroup group = limits.forPath(req.path().path());
        if (group == null) {
            chain.proceed();
            return;
        }
        Limiter.Listener permit = group.tryAcquire();
        if (permit == null) {
            refusal.send(req, res);
            return;
        }
        boolean answered = false;
        try {
            chain.proceed();
            answered = true;
        } finally {
            if (answered && res.status().code() == 504) {
                permit.onDropped(); // its deadline passed: the limit treats it as a loss
            } else if (answered) {
                permit.onSuccess();
            } else {
                permit.onIgnore();
            }
        }
    }
}
