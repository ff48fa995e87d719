package dev.chassis.security.client.internal;

import dev.chassis.security.client.Credentials;
import dev.chassis.security.client.TokenUnavailableException;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

/**
 * Adds {@code authorization: Bearer <token>} to the calls of gRPC channels whose target (the channel's authority:
 * {@code context.grpcChannel("inventory")} has {@code inventory}) has credentials. The token is taken when the call is
 * created, on the calling thread (a cached client-credentials token costs nothing; a missing one is fetched there).
 * A call whose token cannot be had fails {@code UNAVAILABLE} with the {@link TokenUnavailableException} as its cause,
 * without reaching the target; an {@code UNAUTHENTICATED} answer makes the next call fetch a new client-credentials
 * token (the failed call is not re-sent: a started gRPC call cannot be replayed from here). Not API.
 */
final class CredentialsInterceptor implements ClientInterceptor {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private final TargetCredentials credentials;

    CredentialsInterceptor(TargetCredentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        String target = next.authority();
        if (credentials.mode(target) == Credentials.NONE) {
            return next.newCall(method, options);
        }
        String token;
        try {
            token = credentials.token(target);
        } catch (TokenUnavailableException e) {
            return new Refused<>(Status.UNAVAILABLE.withDescription(e.getMessage()).withCause(e));
        }
        if (token == null) {
            return next.newCall(method, options); // relay, but nobody authenticated: the call goes without a token
        }
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                headers.discardAll(AUTHORIZATION);
                headers.put(AUTHORIZATION, "Bearer " + token);
                super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        if (status.getCode() == Status.Code.UNAUTHENTICATED) {
                            credentials.rejected(target, token);
                        }
                        super.onClose(status, trailers);
                    }
                }, headers);
            }
        };
    }

    /** A call that never goes out: it closes with {@code status} as soon as it starts. */
    private static final class Refused<Q, R> extends ClientCall<Q, R> {
        private final Status status;

        Refused(Status status) {
            this.status = status;
        }

        @Override
        public void start(Listener<R> listener, Metadata headers) {
            listener.onClose(status, new Metadata());
        }

        @Override
        public void request(int numMessages) {
        }

        @Override
        public void cancel(String message, Throwable cause) {
        }

        @Override
        public void halfClose() {
        }

        @Override
        public void sendMessage(Q message) {
        }
    }
}
