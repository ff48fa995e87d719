package dev.chassis.core.spi;

import java.util.Objects;

/** The {@link Call} of {@link Call#of}: the call and its attempt count, nothing else. */
final class PlainCall implements Call {
    private final CallSite site;
    private final Object[] args;
    private final boolean idempotent;
    private int attempts;

    PlainCall(CallSite site, Object[] args, boolean idempotent) {
        this.site = Objects.requireNonNull(site, "site");
        this.args = Objects.requireNonNull(args, "args");
        this.idempotent = idempotent;
    }

    @Override
    public CallSite site() {
        return site;
    }

    @Override
    public Object[] args() {
        return args;
    }

    @Override
    public boolean idempotent() {
        return idempotent;
    }

    @Override
    public int attempts() {
        return attempts;
    }

    @Override
    public int startAttempt() {
        return ++attempts;
    }
}
