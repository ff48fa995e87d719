package dev.chassis.core.internal.shared;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;

/**
 * Where the client address of the HTTP request being served is kept for what runs inside it (the log lines'
 * {@code client}): the request's OpenTelemetry context, put there with the server span, so only while telemetry is
 * on. It is the request's {@code Origin} address: a trusted proxy's forwarded one, else the connection's peer.
 * Not API.
 */
public final class CallOrigin {
    /** The client address of the current HTTP request; absent outside one. */
    public static final ContextKey<String> CLIENT_ADDRESS = ContextKey.named("chassis.client-address");

    private CallOrigin() {
    }

    /** The client address of the HTTP request served by this thread, or {@code null}. */
    public static String clientAddress() {
        return Context.current().get(CLIENT_ADDRESS);
    }
}
