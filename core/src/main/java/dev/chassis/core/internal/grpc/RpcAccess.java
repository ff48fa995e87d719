package dev.chassis.core.internal.grpc;

import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.chassis.core.Caller;
import dev.chassis.core.spi.AccessPolicy;
import io.grpc.BindableService;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;

/**
 * The access rules of the service's gRPC methods, asked of the {@link AccessPolicy} once at start-up and checked
 * per call — inside the extensions' interceptors, so that an authenticating one has set the call's {@link Caller}.
 * A refused call is closed with UNAUTHENTICATED or PERMISSION_DENIED before its first message is read. Not API.
 */
final class RpcAccess implements ServerInterceptor {
    static final Metadata.Key<String> CHALLENGE = Metadata.Key.of("www-authenticate", Metadata.ASCII_STRING_MARSHALLER);

    private final Map<String, AccessPolicy.Rule> rules;

    private RpcAccess(Map<String, AccessPolicy.Rule> rules) {
        this.rules = rules;
    }

    /** The interceptor for these services, or null when no method has a rule. */
    static RpcAccess of(List<BindableService> services, AccessPolicy policy) {
        if (policy == null) {
            return null;
        }
        Map<String, AccessPolicy.Rule> rules = new HashMap<>();
        for (BindableService service : services) {
            for (ServerMethodDefinition<?, ?> m : service.bindService().getMethods()) {
                MethodDescriptor<?, ?> d = m.getMethodDescriptor();
                AccessPolicy.Rule rule = policy.forRpc(d.getFullMethodName(),
                        implementation(service.getClass(), d.getBareMethodName()));
                if (rule != null && rule != AccessPolicy.Rule.PERMIT) {
                    rules.put(d.getFullMethodName(), rule);
                }
            }
        }
        return rules.isEmpty() ? null : new RpcAccess(Map.copyOf(rules));
    }

    /**
     * The Java method of the implementation class (or a superclass of it) serving an RPC: grpc-java names it in
     * lower camel case ({@code Reserve} → {@code reserve}, {@code get_item} → {@code getItem}). Null when only the
     * generated interface's default method (UNIMPLEMENTED) serves it.
     */
    static Method implementation(Class<?> type, String rpc) {
        String name = javaName(rpc);
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(name) && !m.isBridge() && !m.isSynthetic()) {
                    return m;
                }
            }
        }
        return null;
    }

    private static String javaName(String rpc) {
        StringBuilder b = new StringBuilder(rpc.length());
        boolean upper = false;
        for (int i = 0; i < rpc.length(); i++) {
            char ch = rpc.charAt(i);
            if (ch == '_') {
                upper = true;
            } else if (b.isEmpty()) {
                b.append(Character.toLowerCase(ch));
            } else {
                b.append(upper ? Character.toUpperCase(ch) : ch);
                upper = false;
            }
        }
        return b.toString();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                     ServerCallHandler<Q, R> next) {
        AccessPolicy.Rule rule = rules.get(call.getMethodDescriptor().getFullMethodName());
        AccessPolicy.Denial denial = rule == null ? null : rule.check(Caller.current());
        if (denial == null) {
            return next.startCall(call, headers);
        }
        Metadata trailers = new Metadata();
        if (denial.challenge() != null) {
            trailers.put(CHALLENGE, denial.challenge());
        }
        call.close((denial.authenticated() ? Status.PERMISSION_DENIED : Status.UNAUTHENTICATED)
                .withDescription(denial.detail()), trailers);
        return new ServerCall.Listener<>() {
        };
    }
}
