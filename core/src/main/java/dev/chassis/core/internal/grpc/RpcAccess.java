package dev.chassis.core.internal.grpc;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
import io.grpc.stub.StreamObserver;

/**
 * The access rules of the service's gRPC methods, asked of the {@link AccessPolicy} once at start-up and checked
 * per call — inside the extensions' interceptors, so that an authenticating one has set the call's {@link Caller}.
 * A refused call is closed with UNAUTHENTICATED or PERMISSION_DENIED before its first message is read. Not API.
 */
final class RpcAccess implements ServerInterceptor {
    static final Metadata.Key<String> CHALLENGE = Metadata.Key.of("www-authenticate", Metadata.ASCII_STRING_MARSHALLER);
    /** The Java language's keywords and literals, which grpc-java's generator follows with {@code _}. */
    private static final Set<String> KEYWORDS = Set.of("abstract", "assert", "boolean", "break", "byte", "case",
            "catch", "char", "class", "const", "continue", "default", "do", "double", "else", "enum", "extends", "final",
            "finally", "float", "for", "goto", "if", "implements", "import", "instanceof", "int", "interface", "long",
            "native", "new", "package", "private", "protected", "public", "return", "short", "static", "strictfp",
            "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try", "void", "volatile", "while",
            "true", "false", "null");

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
                AccessPolicy.Rule rule = policy.forRpc(d.getFullMethodName(), service.getClass(),
                        implementation(service.getClass(), d));
                if (rule != null && rule != AccessPolicy.Rule.PERMIT) {
                    rules.put(d.getFullMethodName(), rule);
                }
            }
        }
        return rules.isEmpty() ? null : new RpcAccess(Map.copyOf(rules));
    }

    /**
     * The Java method of the implementation class (or a superclass of it) serving an RPC. grpc-java names it in lower
     * camel case ({@code Reserve} → {@code reserve}, {@code get_item} → {@code getItem}, {@code Import} →
     * {@code import_}) and declares it once, with its parameters, in the generated service interface; the method
     * serving the RPC is the one that overrides that declaration — not a helper that shares its name. Without a
     * generated interface (a hand-built service), the method of that name whose parameters are an RPC's: (request,
     * {@code StreamObserver}) for unary and server-streaming calls, ({@code StreamObserver}) returning one for client
     * and bidirectional streaming. Null when only the generated interface's default method (UNIMPLEMENTED) serves it,
     * or no method fits.
     */
    static Method implementation(Class<?> type, MethodDescriptor<?, ?> rpc) {
        String name = javaName(rpc.getBareMethodName());
        Method declared = generatedDeclaration(type, name);
        if (declared != null) {
            try {
                Method m = type.getMethod(name, declared.getParameterTypes());
                return m.isDefault() ? null : m;
            } catch (NoSuchMethodException e) {
                return null; // not public in the implementation: cannot happen for an interface's method
            }
        }
        boolean streamingRequests = !rpc.getType().clientSendsOneMessage();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(name) && !m.isBridge() && !m.isSynthetic()
                        && !Modifier.isStatic(m.getModifiers()) && fits(m, streamingRequests)) {
                    return m;
                }
            }
        }
        return null;
    }

    /** The generated service interface's declaration of an RPC's method, among the interfaces {@code type} implements. */
    private static Method generatedDeclaration(Class<?> type, String name) {
        Deque<Class<?>> interfaces = new ArrayDeque<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            interfaces.addAll(List.of(c.getInterfaces()));
        }
        Set<Class<?>> seen = new HashSet<>();
        while (!interfaces.isEmpty()) {
            Class<?> i = interfaces.removeFirst();
            if (!seen.add(i)) {
                continue;
            }
            for (Method m : i.getDeclaredMethods()) {
                if (m.getName().equals(name) && !Modifier.isStatic(m.getModifiers()) && !m.isSynthetic()
                        && fits(m, m.getParameterCount() == 1)) {
                    return m;
                }
            }
            interfaces.addAll(List.of(i.getInterfaces()));
        }
        return null;
    }

    private static boolean fits(Method m, boolean streamingRequests) {
        Class<?>[] p = m.getParameterTypes();
        return streamingRequests
                ? p.length == 1 && p[0] == StreamObserver.class && m.getReturnType() == StreamObserver.class
                : p.length == 2 && p[1] == StreamObserver.class && m.getReturnType() == void.class;
    }

    /** grpc-java's Java name of an RPC: lower camel case, and a Java keyword (or literal) followed by {@code _}. */
    static String javaName(String rpc) {
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
        String name = b.toString();
        return KEYWORDS.contains(name) ? name + "_" : name;
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
