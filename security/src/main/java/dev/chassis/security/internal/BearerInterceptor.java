package dev.chassis.security.internal;

import java.util.ArrayList;
import java.util.List;

import dev.chassis.core.Caller;
import dev.chassis.core.Peer;
import dev.chassis.core.internal.shared.CurrentCaller;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Authenticates gRPC calls from their {@code authorization} metadata: a valid bearer token becomes the call's
 * {@link Caller} ({@code Caller.current()} in the service, through the call's {@link Context}); an invalid one closes
 * the call with UNAUTHENTICATED and the RFC 6750 challenge as {@code www-authenticate} trailer, before any message
 * is read. Not API.
 */
final class BearerInterceptor implements ServerInterceptor {
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> CHALLENGE =
            Metadata.Key.of("www-authenticate", Metadata.ASCII_STRING_MARSHALLER);

    private final Authenticator authenticator;

    BearerInterceptor(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                     ServerCallHandler<Q, R> next) {
        Iterable<String> all = headers.getAll(AUTHORIZATION);
        if (all == null) {
            return next.startCall(call, headers);
        }
        List<String> values = new ArrayList<>(1);
        all.forEach(values::add);
        Authenticator.Outcome outcome = authenticator.authenticate(values, Peer.current());
        if (outcome.error() != null) {
            Metadata trailers = new Metadata();
            trailers.put(CHALLENGE, outcome.challenge());
            call.close(Status.UNAUTHENTICATED.withDescription(outcome.description()), trailers);
            return new ServerCall.Listener<>() {
            };
        }
        if (outcome.caller() == null) {
            return next.startCall(call, headers);
        }
        Context context = Context.current().withValues(CurrentCaller.KEY, outcome.caller(), CurrentCaller.TOKEN_KEY,
                outcome.token());
        return Contexts.interceptCall(context, call, headers, next);
    }
}
