package dev.chassis.core.internal.shared;

import dev.chassis.core.http.Origin;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;

/**
 * Where the {@link Origin} of the HTTP request being served is kept for what runs inside it (the log lines' client
 * address): the request's OpenTelemetry context, put there with the server span, so only while telemetry is on.
 * Not API.
 */
public final class CallOrigin {
    /** The origin of the current HTTP request; absent outside one. */
    public static final ContextKey<Origin> REQUEST = ContextKey.named("chassis.origin");

    private CallOrigin() {
    }

    /** The origin of the HTTP request served by this thread, or {@code null}. */
    public static Origin current() {
        return Context.current().get(REQUEST);
    }
}
