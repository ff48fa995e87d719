package dev.chassis.core.internal.shared;

import dev.chassis.core.Peer;
import dev.chassis.core.internal.tls.Peers;
import io.grpc.Context;
import io.helidon.webserver.http.ServerRequest;
import io.opentelemetry.context.ContextKey;

/**
 * Where the verified caller ({@link Peer}) of the request being served is kept: a gRPC call's {@link Context}, and
 * an HTTP request's OpenTelemetry context (put there with the server span, so only while telemetry is on). Not API.
 */
public final class CallPeer {
    /** The caller of the current gRPC call; absent outside one. */
    public static final Context.Key<Peer> KEY = Context.key("chassis.peer");
    /** The authenticated caller of the current HTTP request; absent outside one, or for an anonymous caller. */
    public static final ContextKey<Peer> REQUEST = ContextKey.named("chassis.peer");

    private CallPeer() {
    }

    /**
     * The verified peer of an HTTP request, as the {@code Peer} handler parameter reads it: anonymous on a plaintext
     * connection, on a port that asks for no client certificate, or without one.
     */
    public static Peer of(ServerRequest request) {
        return Peers.of(request);
    }

    /** The authenticated caller of the HTTP request or gRPC call served by this thread, or {@code null}. */
    public static Peer current() {
        Peer peer = io.opentelemetry.context.Context.current().get(REQUEST); // CHECKSTYLE:FQN-OK
        return peer != null ? peer : KEY.get();
    }
}
