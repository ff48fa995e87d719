package dev.chassis.core.internal.grpc;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import javax.net.ssl.SSLException;

import dev.chassis.core.client.ClientException;
import dev.chassis.core.client.RemoteProblemException;
import dev.chassis.core.client.UnreachableException;
import dev.chassis.core.grpc.GrpcStatuses;
import dev.chassis.core.internal.tls.TargetTls;
import dev.chassis.core.internal.tls.TlsFailures;
import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.EquivalentAddressGroup;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.StatusOr;
import io.grpc.SynchronizationContext;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;

/**
 * A gRPC channel to a logical target ({@code grpc://inventory}), created before its service starts and
 * connected when it does. Its instances come from the service's resolvers (static configuration
 * {@code clients.<target>.url}, or discovery), balanced round robin; the channel speaks TLS when
 * {@code clients.<target>.tls.bundle} is set or the URLs are {@code https://} (presenting the bundle's key, verifying
 * the server by the URL's host name or by {@code clients.<target>.tls.expected-identity}), else plaintext to
 * {@code http://} URLs; a failed handshake is an {@link UnreachableException} with the TLS reason; a call without a
 * deadline gets the
 * target's default ({@code clients.<target>.request-timeout}); a call made inside a handler never outlives
 * what is left of the handler's own deadline; a failed call's status carries a {@link RemoteProblemException} (the
 * target answered an error) or an {@link UnreachableException} (no instance, the connection failed or broke) as its
 * cause, the same exceptions the HTTP clients throw, so a handler answers the same status either way. Not API.
 */
public final class ChassisChannel extends Channel {
    private final String target;
    private volatile Channel delegate;
    private volatile ManagedChannel managed;

    public ChassisChannel(String target) {
        this.target = target;
    }

    /** The logical target. */
    public String target() {
        return target;
    }

    /**
     * Connects the channel; called once when the service starts.
     *
     * @param tls   the key and trust of {@code clients.<target>.tls}, or null
     * @param https whether the target's configured URLs are https://: the channel speaks TLS (with the JDK's CAs
     *              when {@code tls} is null)
     */
    public void connect(Function<String, List<URI>> resolver, Duration defaultDeadline, Duration refresh,
                        List<ClientInterceptor> hooks, TargetTls tls, boolean https) {
        boolean secure = tls != null || https;
        @SuppressWarnings("deprecation") // a resolver per channel, not a process-wide registry entry: see the class doc
        NettyChannelBuilder builder = NettyChannelBuilder.forTarget("chassis:///" + target)
                .nameResolverFactory(new Resolvers(resolver, refresh, secure))
                .defaultLoadBalancingPolicy("round_robin");
        if (secure) {
            builder.sslContext(sslContext(tls));
        } else {
            builder.usePlaintext();
        }
        ManagedChannel ch = builder.build();
        managed = ch;
        List<ClientInterceptor> all = new ArrayList<>(hooks);
        all.add(new Defaults(target, defaultDeadline)); // innermost: sees the call as it goes out
        delegate = ClientInterceptors.intercept(ch, all.reversed());
    }

    /** Netty's client context: ALPN h2, the bundle's key, trust (and identity check), protocols and suites. */
    private SslContext sslContext(TargetTls tls) {
        SslContextBuilder b = GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK);
        if (tls != null) {
            if (tls.keyManager() != null) {
                b.keyManager(tls.keyManager());
            }
            b.trustManager(tls.trustManager()).protocols(tls.protocols()).ciphers(tls.cipherSuites());
        }
        try {
            return b.build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot create the TLS context of the gRPC channel to " + target
                    + (tls == null ? "" : " (bundle " + tls.bundleName() + ")") + ": " + e.getMessage(), e);
        }
    }

    /** Closes the connections; called when the service stops. */
    public void close() {
        ManagedChannel m = managed;
        if (m != null) {
            m.shutdown();
            try {
                if (!m.awaitTermination(2, TimeUnit.SECONDS)) {
                    m.shutdownNow();
                }
            } catch (InterruptedException e) {
                m.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
        Channel d = delegate;
        if (d == null) {
            throw new IllegalStateException("the gRPC channel to " + target
                    + " connects when its service starts: call it from handlers, after start()");
        }
        return d.newCall(method, options);
    }

    @Override
    public String authority() {
        return target;
    }

    /** Default deadline, the handler's remaining deadline, and problems on failure. */
    private static final class Defaults implements ClientInterceptor {
        private final String target;
        private final Duration defaultDeadline;

        Defaults(String target, Duration defaultDeadline) {
            this.target = target;
            this.defaultDeadline = defaultDeadline;
        }

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            CallOptions o = options;
            if (o.getDeadline() == null) {
                // grpc-java uses the earlier of this and the handler's remaining deadline (Context)
                o = o.withDeadlineAfter(defaultDeadline.toMillis(), TimeUnit.MILLISECONDS);
            }
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, o)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                        @Override
                        public void onClose(Status status, Metadata trailers) {
                            Status s = status;
                            String call = "gRPC " + target + "/" + method.getFullMethodName();
                            if (status.isOk() || status.getCause() instanceof ClientException) {
                                s = status;
                            } else if (status.getCode() == Status.Code.UNAVAILABLE && status.getCause() != null) {
                                // made on this side (a status from the server has no cause): the connection failed
                                // or broke, as an HTTP client's UnreachableException — 503 with Retry-After
                                String tls = TlsFailures.reason(status.getCause());
                                s = status.withCause(new UnreachableException(target, call + ": "
                                        + (tls != null ? "TLS handshake failed: " + tls : status.getDescription()),
                                        status.getCause(), tls != null));
                            } else {
                                s = status.withCause(new RemoteProblemException(target, call,
                                        GrpcStatuses.toProblem(status)));
                            }
                            super.onClose(s, trailers);
                        }
                    }, headers);
                }
            };
        }
    }

    /** Name resolution through the service's resolvers, again every {@code refresh}. */
    private static final class Resolvers extends NameResolver.Factory {
        private final Function<String, List<URI>> resolver;
        private final Duration refresh;
        private final boolean secure;

        Resolvers(Function<String, List<URI>> resolver, Duration refresh, boolean secure) {
            this.resolver = resolver;
            this.refresh = refresh;
            this.secure = secure;
        }

        @Override
        public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
            String name = targetUri.getPath().substring(1);
            return new NameResolver() {
                private Listener2 listener;
                private SynchronizationContext.ScheduledHandle periodic;

                @Override
                public String getServiceAuthority() {
                    return name;
                }

                @Override
                public void start(Listener2 l) {
                    listener = l;
                    resolve();
                    // discovery changes (new instances, a changed URL list) are picked up without waiting
                    // for a connection to fail
                    periodic = args.getSynchronizationContext().scheduleWithFixedDelay(this::resolve, refresh, refresh,
                            args.getScheduledExecutorService());
                }

                @Override
                public void refresh() {
                    resolve();
                }

                private void resolve() {
                    // runs in grpc-java's synchronization context: an exception escaping here would break the
                    // channel for good, so every failure becomes a resolution error that grpc-java retries
                    try {
                        List<URI> instances = resolver.apply(name);
                        if (instances.isEmpty()) {
                            listener.onError(Status.UNAVAILABLE.withDescription("no instances of " + name + " are known")
                                    .withCause(new UnreachableException(name, "no instances of " + name + " are known",
                                            null, true)));
                            return;
                        }
                        List<EquivalentAddressGroup> groups = new ArrayList<>();
                        for (URI u : instances) {
                            String scheme = secure ? "https" : "http";
                            if (!scheme.equals(u.getScheme()) || u.getHost() == null) {
                                listener.onError(Status.UNAVAILABLE.withDescription(name + ": " + u + " is not an "
                                        + scheme + ":// address, and the channel speaks " + (secure
                                        ? "TLS (clients." + name + ".tls.bundle or https:// URLs)"
                                        : "plaintext (set clients." + name + ".tls.bundle or use https:// URLs)")));
                                return;
                            }
                            int port = u.getPort() >= 0 ? u.getPort() : secure ? 443 : 80;
                            // the host name of the URL is what the server's certificate is checked against
                            groups.add(new EquivalentAddressGroup(new InetSocketAddress(u.getHost(), port),
                                    Attributes.newBuilder().set(EquivalentAddressGroup.ATTR_AUTHORITY_OVERRIDE,
                                            u.getHost() + ":" + port).build()));
                        }
                        listener.onResult(ResolutionResult.newBuilder()
                                .setAddressesOrError(StatusOr.fromValue(groups)).build());
                    } catch (RuntimeException e) {
                        listener.onError(Status.UNAVAILABLE.withDescription("resolving " + name + " failed").withCause(e));
                    }
                }

                @Override
                public void shutdown() {
                    if (periodic != null) {
                        periodic.cancel();
                    }
                }
            };
        }

        @Override
        public String getDefaultScheme() {
            return "chassis";
        }
    }
}
