package dev.chassis.core.spi;

import java.util.Set;

/**
 * Wraps handler and client invocations with behaviour such as retries, circuit breakers, bulkheads or
 * tracing. Registered by an extension ({@link ExtensionContext.Calls#decorator(CallDecorator)}); asked once per
 * method at start-up, so per-call work is only what the returned invocation does.
 */
@FunctionalInterface
public interface CallDecorator {
    /**
     * @param site the method being bound
     * @param next what to call; return it unchanged when nothing applies
     * @return {@code next}, or an invocation that calls it
     */
    Invocation decorate(CallSite site, Invocation next);

    /**
     * The problem statuses this decorator's policies may answer for a handler instead of calling it (429 for a rate
     * limit, 503 for an open circuit or a full bulkhead...), for documents that describe the service (OpenAPI).
     * Asked once per handler at start-up; empty (the default) when none.
     */
    default Set<Integer> statuses(CallSite site) {
        return Set.of();
    }
}
