package dev.chassis.core.spi;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import dev.chassis.core.http.Origin;

/** The {@link Call} of {@link Call#of}: the call, its attempt count, and a handler call's origin. */
final class PlainCall implements Call {
    private final CallSite site;
    private final Object[] args;
    private final boolean idempotent;
    private Supplier<Origin> originSource; // null without one, or once asked
    private Origin origin;
    private int attempts;
    private Map<String, String> headers;

    PlainCall(CallSite site, Object[] args, boolean idempotent, Supplier<Origin> origin) {
        this.site = Objects.requireNonNull(site, "site");
        this.args = Objects.requireNonNull(args, "args");
        this.idempotent = idempotent;
        this.originSource = origin;
    }

    @Override
    public Optional<Origin> origin() {
        if (originSource != null) {
            origin = originSource.get();
            originSource = null;
        }
        return Optional.ofNullable(origin);
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

    @Override
    public void header(String name, String value) {
        if (site.kind() != CallSite.Kind.CLIENT) {
            Call.super.header(name, value);
        }
        if (headers == null) {
            headers = new LinkedHashMap<>(4);
        }
        headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    }

    @Override
    public Map<String, String> headers() {
        return headers == null ? Map.of() : headers;
    }
}
