package dev.chassis.core.internal.http.client;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

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
        return call instanceof ClientCall c ? c : new ClientCall(call.site(), call.args(), call.idempotent());
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
