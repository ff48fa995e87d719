package dev.chassis.core.internal.shared;

import dev.chassis.core.Peer;
import io.grpc.Context;

/** Where a gRPC call's {@link Peer} is kept while its service method runs: the call's {@link Context}. Not API. */
public final class CallPeer {
    /** The caller of the current gRPC call; absent outside one. */
    public static final Context.Key<Peer> KEY = Context.key("chassis.peer");

    private CallPeer() {
    }
}
