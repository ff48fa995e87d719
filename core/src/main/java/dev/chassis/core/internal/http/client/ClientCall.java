package dev.chassis.core.internal.http.client;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.chassis.core.spi.Call;
import dev.chassis.core.spi.CallSite;

/**
 * A client method's call, with what its load balancer keeps for it: the instances its attempts went to, so that a
 * retry goes to another one when it can. Created by {@link ClientBinder}; not thread-safe. Not API.
 */
final class ClientCall implements Call {
    private final CallSite site;
    private final Object[] args;
    private final boolean idempotent;
    private int attempts;
    private Object tried; // the instances attempts went to: null, one URI, or a List of them
    private Map<String, String> headers; // set by decorators (credentials): null until one is

    ClientCall(CallSite site, Object[] args, boolean idempotent) {
        this.site = site;
        this.args = args;
        this.idempotent = idempotent;
    }

    /**
     * The client call behind {@code call}: itself, or — when a decorator passed on a call of its own — a new one
     * that remembers nothing tried yet.
     */
    static ClientCall of(Call call) {
        if (call instanceof ClientCall c) {
            return c;
        }
        ClientCall c = new ClientCall(call.site(), call.args(), call.idempotent());
        call.headers().forEach(c::header);
        return c;
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
        if (headers == null) {
            headers = new LinkedHashMap<>(4);
        }
        headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    }

    @Override
    public Map<String, String> headers() {
        return headers == null ? Map.of() : headers;
    }

    /** Records that an attempt of this call went to {@code instance}. */
    void markTried(URI instance) {
        if (tried == null) {
            tried = instance;
        } else if (tried instanceof List<?>) {
            @SuppressWarnings("unchecked")
            List<URI> list = (List<URI>) tried;
            list.add(instance);
        } else {
            List<URI> list = new ArrayList<>(4);
            list.add((URI) tried);
            list.add(instance);
            tried = list;
        }
    }

    /** Whether an attempt of this call went to {@code instance} already. */
    boolean tried(URI instance) {
        if (tried == null) {
            return false;
        }
        return tried instanceof List<?> list ? list.contains(instance) : tried.equals(instance);
    }
}
