package dev.chassis.core.spi;

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
}
