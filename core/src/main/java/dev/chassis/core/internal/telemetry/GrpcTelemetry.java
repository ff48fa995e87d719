package dev.chassis.core.internal.telemetry;

import dev.chassis.core.internal.shared.TraceContextHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.chassis.core.Peer;
import dev.chassis.core.internal.shared.CallOrigin;
import dev.chassis.core.internal.shared.CallPeer;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;

/**
 * gRPC spans and durations: the server side (used by the call guard) and a client interceptor for
 * Chassis channels. The trace context travels in the call's metadata as {@code traceparent},
 * {@code tracestate} and {@code baggage}. Not API.
 */
public final class GrpcTelemetry {
    private static final TextMapGetter<Metadata> GETTER = TraceContextHeaders.getter((metadata, key) -> {
        if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
            return List.of();
        }
        Iterable<String> values = metadata.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
        List<String> all = new ArrayList<>(1);
        if (values != null) {
            values.forEach(all::add);
        }
        return all;
    });
    private static final TextMapSetter<Metadata> SETTER = (carrier, key, value) -> {
        if (carrier != null) {
            carrier.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);
        }
    };

    private final Telemetry telemetry;
    private final Map<String, Attributes> attributes = new ConcurrentHashMap<>();

    public GrpcTelemetry(Telemetry telemetry) {
        this.telemetry = telemetry;
    }

    public boolean enabled() {
        return telemetry.enabled();
    }

    /** A server call in progress: its span and the context the handler runs in. */
    public final class ServerCall {
        private final long start = System.nanoTime();
        private final Span span;
        private final Context context;
        private final String method;

        private ServerCall(Span span, Context context, String method) {
            this.span = span;
            this.context = context;
            this.method = method;
        }

        /** The call's trace id, for the error a failed call answers (its span may not be current then). */
        public String traceId() {
            return span.getSpanContext().getTraceId();
        }

        /** The OpenTelemetry context (with the call's span) to make current around the handler's callbacks. */
        public Context context() {
            return context;
        }

        /** Ends the call with its final status. Call once. */
        public void end(Status status) {
            finish(span, status, true);
            telemetry.rpcServerDuration.record(Telemetry.seconds(start), metricAttributes("s", method, null,
                    status.getCode()), Context.root());
        }
    }

    /**
     * Starts the server span of a call, continuing the caller's trace context from the metadata; a caller that
     * presented a verified certificate (mutual TLS) is named on the span, as on HTTP server spans, and is the log
     * lines' peer identity inside the call; so is the client's address ({@code client.address}: a trusted proxy's
     * forwarded one, else the peer's; {@code null} when unknown).
     */
    public ServerCall startServer(String fullMethod, Metadata headers, Peer peer, String clientAddress) {
        Context parent = TraceContextHeaders.extract(telemetry.propagator, headers, GETTER);
        SpanBuilder builder = rpcSpan(fullMethod, SpanKind.SERVER).setParent(parent);
        if (clientAddress != null) {
            builder.setAttribute(Telemetry.CLIENT_ADDRESS, clientAddress);
        }
        if (peer.authenticated()) {
            builder.setAttribute(Telemetry.PEER_IDENTITY, peer.identity().orElseThrow());
            builder.setAttribute(Telemetry.TLS_CLIENT_SUBJECT, peer.subject().orElseThrow());
        }
        Span span = builder.startSpan();
        Context context = clientAddress == null ? parent.with(span)
                : parent.with(span).with(CallOrigin.CLIENT_ADDRESS, clientAddress);
        return new ServerCall(span, peer.authenticated() ? context.with(CallPeer.REQUEST, peer) : context, fullMethod);
    }

    /** Client spans for the calls through one channel, with the calls' context in their metadata. */
    public ClientInterceptor clientInterceptor(String target) {
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        long start = System.nanoTime();
                        String name = method.getFullMethodName();
                        Span span = rpcSpan(name, SpanKind.CLIENT).setAttribute(Telemetry.PEER_SERVICE, target)
                                .startSpan();
                        telemetry.propagator.inject(Context.current().with(span), headers, SETTER);
                        try {
                            super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                                @Override
                                public void onClose(Status status, Metadata trailers) {
                                    finish(span, status, false);
                                    telemetry.rpcClientDuration.record(Telemetry.seconds(start),
                                            metricAttributes("c", name, target, status.getCode()), Context.root());
                                    super.onClose(status, trailers);
                                }
                            }, headers);
                        } catch (RuntimeException | Error e) {
                            span.recordException(e);
                            finish(span, Status.fromThrowable(e), false); // the call never started: onClose will not come
                            throw e;
                        }
                    }
                };
            }
        };
    }

    private SpanBuilder rpcSpan(String fullMethod, SpanKind kind) {
        return telemetry.tracer.spanBuilder(fullMethod)
                .setSpanKind(kind)
                .setAttribute(Telemetry.RPC_SYSTEM, "grpc")
                .setAttribute(Telemetry.RPC_SERVICE, service(fullMethod))
                .setAttribute(Telemetry.RPC_METHOD, method(fullMethod));
    }

    private static String service(String fullMethod) {
        int slash = fullMethod.lastIndexOf('/');
        return slash < 0 ? fullMethod : fullMethod.substring(0, slash);
    }

    private static String method(String fullMethod) {
        int slash = fullMethod.lastIndexOf('/');
        return slash < 0 ? "" : fullMethod.substring(slash + 1);
    }

    /** The semantic conventions' error statuses: every non-OK one for clients, server faults for servers. */
    private static void finish(Span span, Status status, boolean server) {
        Status.Code code = status.getCode();
        span.setAttribute(Telemetry.RPC_GRPC_STATUS, code.value());
        boolean error = server
                ? switch (code) {
                    case UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS -> true;
                    default -> false;
                }
                : code != Status.Code.OK;
        if (error) {
            span.setStatus(StatusCode.ERROR, code.name());
            span.setAttribute(Telemetry.ERROR_TYPE, code.name());
        }
        span.end();
    }

    private Attributes metricAttributes(String side, String fullMethod, String target, Status.Code code) {
        return attributes.computeIfAbsent(side + ' ' + target + ' ' + fullMethod + ' ' + code.value(), k -> {
            var b = Attributes.builder()
                    .put(Telemetry.RPC_SYSTEM, "grpc")
                    .put(Telemetry.RPC_SERVICE, service(fullMethod))
                    .put(Telemetry.RPC_METHOD, method(fullMethod))
                    .put(Telemetry.RPC_GRPC_STATUS, (long) code.value());
            if (target != null) {
                b.put(Telemetry.PEER_SERVICE, target);
            }
            return b.build();
        });
    }
}
