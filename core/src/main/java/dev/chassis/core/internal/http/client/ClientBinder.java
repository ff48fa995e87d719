package dev.chassis.core.internal.http.client;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import dev.chassis.core.http.BindingException;
import dev.chassis.core.http.Body;
import dev.chassis.core.http.Header;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.core.http.QueryParam;
import dev.chassis.core.http.Response;
import dev.chassis.core.spi.CallDecorator;
import dev.chassis.core.spi.CallSite;
import dev.chassis.core.spi.Invocation;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import dev.chassis.core.internal.http.Converters;
import dev.chassis.core.internal.http.PathTemplate;
import dev.chassis.core.internal.shared.Names;
import dev.chassis.core.internal.http.HttpAnnotations;

/**
 * Turns an annotated client interface into an implementation, once: every method's request template,
 * argument encoders, result decoder and policy chain are built here; a call only fills them in. Misuse
 * fails with a {@link BindingException} naming the interface, the method and the fix. Not API.
 */
public final class ClientBinder {
    private final ObjectMapper mapper;
    private final List<CallDecorator> decorators;

    public ClientBinder(ObjectMapper mapper, List<CallDecorator> decorators) {
        this.mapper = mapper;
        this.decorators = List.copyOf(decorators);
    }

    /** An implementation of {@code type} calling {@code target}. */
    public <T> T bind(Class<T> type, ClientTarget target) {
        Pending<T> pending = pending(type);
        pending.bind(this, target);
        return pending.proxy();
    }

    /**
     * A client whose implementation exists now but whose methods are bound later, when the service
     * starts (configuration, policies and discovery are known only then). Calls before that fail.
     */
    public static <T> Pending<T> pending(Class<T> type) {
        if (!type.isInterface()) {
            throw new BindingException(type.getName() + " is not an interface. Fix: declare clients as interfaces");
        }
        Handler handler = new Handler(type);
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
        return new Pending<>(type, type.cast(proxy), handler);
    }

    /** A client created before its service started. */
    public static final class Pending<T> {
        private final Class<T> type;
        private final T proxy;
        private final Handler handler;

        private Pending(Class<T> type, T proxy, Handler handler) {
            this.type = type;
            this.proxy = proxy;
            this.handler = handler;
        }

        /** The implementation to hand to handlers. */
        public T proxy() {
            return proxy;
        }

        /** The interface. */
        public Class<T> type() {
            return type;
        }

        /** Binds every method; from now on calls go out. */
        public void bind(ClientBinder binder, ClientTarget target) {
            handler.methods = binder.bindAll(type, target);
        }
    }

    private Map<Method, Bound> bindAll(Class<?> type, ClientTarget target) {
        Path classPath = type.getAnnotation(Path.class);
        Map<Method, Bound> bound = new HashMap<>();
        for (Method m : type.getMethods()) {
            if (m.isDefault() || Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            String httpMethod = HttpAnnotations.httpMethod(m);
            if (httpMethod == null) {
                throw new BindingException(Names.method(m) + " has no HTTP method annotation."
                        + " Fix: annotate it with @Get, @Post, @Put, @Patch, @Delete, @Head or @Options, or make it a default method");
            }
            bound.put(m, bindMethod(m, httpMethod, classPath == null ? "" : classPath.value(), target));
        }
        return Map.copyOf(bound);
    }

    private record Bound(ClientMethod method, Invocation chain) {
    }

    private Bound bindMethod(Method m, String httpMethod, String classPath, ClientTarget target) {
        PathTemplate template;
        try {
            template = PathTemplate.of(classPath, HttpAnnotations.methodPath(m, httpMethod));
        } catch (IllegalArgumentException e) {
            throw new BindingException(Names.method(m) + ": invalid path: " + e.getMessage()
                    + ". Fix: use literal segments and whole {name} variables, e.g. /orders/{id}");
        }
        Parameter[] params = m.getParameters();
        ClientMethod.Part[] parts = new ClientMethod.Part[params.length];
        List<String> boundVariables = new ArrayList<>();
        int idempotencyKey = -1;
        int bodies = 0;
        for (int i = 0; i < params.length; i++) {
            Parameter p = params[i];
            try {
                if (p.isAnnotationPresent(Body.class)) {
                    bodies++;
                } else if (p.isAnnotationPresent(PathParam.class)) {
                    boundVariables.add(name(p, p.getAnnotation(PathParam.class).value()));
                } else if (p.isAnnotationPresent(Header.class)
                        && name(p, p.getAnnotation(Header.class).value()).equalsIgnoreCase("Idempotency-Key")) {
                    idempotencyKey = i;
                }
                parts[i] = part(p, template);
            } catch (IllegalArgumentException e) {
                throw new BindingException(Names.method(m) + ": " + e.getMessage());
            }
        }
        if (bodies > 1) {
            throw new BindingException(Names.method(m) + " has " + bodies + " @Body parameters; a request has one body."
                    + " Fix: keep one @Body");
        }
        for (String v : template.variables()) {
            if (!boundVariables.contains(v)) {
                throw new BindingException(Names.method(m) + ": path variable {" + v + "} has no @PathParam."
                        + " Fix: add a parameter @PathParam(\"" + v + "\")");
            }
        }
        Type returnType = m.getGenericReturnType();
        Class<?> raw = m.getReturnType();
        ClientMethod.Result result;
        Type valueType;
        if (raw == void.class || raw == Void.class) {
            result = ClientMethod.Result.VOID;
            valueType = null;
        } else if (raw == Optional.class) {
            result = ClientMethod.Result.OPTIONAL;
            valueType = typeArgument(returnType, m);
        } else if (raw == Response.class) {
            result = ClientMethod.Result.RESPONSE;
            valueType = typeArgument(returnType, m);
        } else {
            result = ClientMethod.Result.VALUE;
            valueType = returnType;
        }
        CallSite site = new CallSite(CallSite.Kind.CLIENT, target.name(), target.name(), m, httpMethod, template.path());
        ClientMethod cm = new ClientMethod(site, target, template, parts, idempotencyKey, result,
                valueType == null ? null : mapper.readerFor(mapper.constructType(valueType)));
        Invocation chain = cm;
        for (int i = decorators.size() - 1; i >= 0; i--) {
            chain = decorators.get(i).decorate(site, chain);
        }
        return new Bound(cm, chain);
    }

    private ClientMethod.Part part(Parameter p, PathTemplate template) {
        if (p.getType() == ServerRequest.class || p.getType() == ServerResponse.class) {
            throw new IllegalArgumentException("a client cannot take " + p.getType().getSimpleName()
                    + ". Fix: remove the parameter from the client interface");
        }
        if (p.isAnnotationPresent(Body.class)) {
            return body(p);
        }
        if (p.isAnnotationPresent(PathParam.class)) {
            String name = name(p, p.getAnnotation(PathParam.class).value());
            if (!template.variables().contains(name)) {
                throw new IllegalArgumentException("@PathParam '" + name + "' is not a variable of path " + template.path()
                        + ". Fix: add {" + name + "} to the path or correct the name");
            }
            checkScalar(p, p.getType());
            return (arg, rp) -> {
                if (arg == null) {
                    throw new IllegalArgumentException("path parameter '" + name + "' must not be null");
                }
                String value = text(arg);
                // Helidon's client decodes the path before sending it, so an encoded "/" would split the segment,
                // and "." or ".." would walk the path: refuse rather than call another resource.
                if (value.contains("/") || value.equals(".") || value.equals("..") || value.isEmpty()) {
                    throw new IllegalArgumentException("path parameter '" + name + "' cannot be '" + value
                            + "' (empty, '.', '..' or containing '/'); send such a value as a query parameter or in the body");
                }
                rp.pathValues.put(name, value);
            };
        }
        if (p.isAnnotationPresent(QueryParam.class)) {
            String name = name(p, p.getAnnotation(QueryParam.class).value());
            checkMulti(p);
            String encoded = ClientMethod.encode(name);
            return (arg, rp) -> each(arg, v -> rp.query.append(rp.query.isEmpty() ? "" : "&").append(encoded).append('=')
                    .append(ClientMethod.encode(text(v))));
        }
        if (p.isAnnotationPresent(Header.class)) {
            String name = name(p, p.getAnnotation(Header.class).value());
            checkMulti(p);
            HeaderName header = HeaderNames.create(name);
            return (arg, rp) -> each(arg, v -> rp.headers.add(Map.entry(header, headerValue(name, text(v)))));
        }
        throw new IllegalArgumentException("parameter '" + p.getName() + "' has no binding annotation."
                + " Fix: annotate it with @PathParam, @QueryParam, @Header or @Body");
    }

    /**
     * A header argument's value, refused (before any instance is picked) when it holds a control character: the HTTP
     * client would refuse it as it sends it, which counted as the instance's failure and ejected healthy instances
     * whenever a handler passed on a caller's text. Spaces around it are no part of a field's value (RFC 9110 §5.5):
     * they are left out.
     */
    static String headerValue(String name, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                throw new IllegalArgumentException("the value of header " + name + " holds a control character (0x"
                        + Integer.toHexString(c) + " at " + i + "): a header value is visible text");
            }
        }
        return value.strip();
    }

    private ClientMethod.Part body(Parameter p) {
        Type type = p.getParameterizedType();
        boolean optional = p.getType() == Optional.class;
        Type valueType = optional ? typeArgument(type, null) : type;
        ClientMethod.Part write;
        if (valueType == String.class) {
            write = (arg, rp) -> {
                rp.body = ((String) arg).getBytes(StandardCharsets.UTF_8);
                rp.contentType = "text/plain; charset=UTF-8";
            };
        } else if (valueType == byte[].class) {
            write = (arg, rp) -> {
                rp.body = (byte[]) arg;
                rp.contentType = "application/octet-stream";
            };
        } else {
            ObjectWriter writer = mapper.writerFor(mapper.constructType(valueType));
            write = (arg, rp) -> ClientMethod.writeJson(writer, arg, rp);
        }
        if (optional) {
            return (arg, rp) -> ((Optional<?>) arg).ifPresent(v -> write.apply(v, rp));
        }
        return (arg, rp) -> {
            if (arg == null) {
                throw new IllegalArgumentException("the @Body argument must not be null");
            }
            write.apply(arg, rp);
        };
    }

    private static void each(Object arg, Consumer<Object> action) {
        if (arg == null) {
            return;
        }
        if (arg instanceof Optional<?> o) {
            o.ifPresent(action);
        } else if (arg instanceof List<?> list) {
            list.forEach(v -> {
                if (v != null) {
                    action.accept(v);
                }
            });
        } else {
            action.accept(arg);
        }
    }

    private static String text(Object v) {
        return v instanceof Enum<?> e ? e.name() : String.valueOf(v);
    }

    private static void checkMulti(Parameter p) {
        Class<?> raw = p.getType();
        if (raw == Optional.class || raw == List.class) {
            Type arg = typeArgument(p.getParameterizedType(), null);
            checkScalar(p, arg instanceof Class<?> c ? c : Object.class);
        } else {
            checkScalar(p, raw);
        }
    }

    private static void checkScalar(Parameter p, Class<?> type) {
        if (!Converters.supports(type)) {
            throw new IllegalArgumentException("parameter '" + p.getName() + "' has unsupported type "
                    + p.getParameterizedType().getTypeName() + ". Fix: use String, a primitive or its box, UUID, an enum,"
                    + " Instant, LocalDate, LocalDateTime, OffsetDateTime or Duration (or Optional/List of one)");
        }
    }

    private static String name(Parameter p, String given) {
        if (!given.isEmpty()) {
            return given;
        }
        if (!p.isNamePresent()) {
            throw new IllegalArgumentException("parameter " + p.getName() + " needs a name: compiled without -parameters."
                    + " Fix: compile with -parameters or name it in the annotation");
        }
        return p.getName();
    }

    private static Type typeArgument(Type type, Method m) {
        if (type instanceof ParameterizedType pt) {
            return pt.getActualTypeArguments()[0];
        }
        throw new BindingException((m == null ? "a parameter" : Names.method(m))
                + " uses a raw Optional, List or Response. Fix: give its type argument, e.g. Optional<Order>");
    }

    /** The proxy's invocation handler: a map lookup, then the prepared chain. */
    private static final class Handler implements InvocationHandler {
        private final Class<?> type;
        private volatile Map<Method, Bound> methods;

        Handler(Class<?> type) {
            this.type = type;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            Map<Method, Bound> bound = methods;
            Bound b = bound == null ? null : bound.get(method);
            if (b == null) {
                if (method.isDefault()) {
                    return InvocationHandler.invokeDefault(proxy, method, args);
                }
                return switch (method.getName()) {
                    case "toString" -> "client " + type.getSimpleName();
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new IllegalStateException("client " + type.getSimpleName()
                            + " is bound when its service starts: call it from handlers, after start()");
                };
            }
            Object[] a = args == null ? new Object[0] : args;
            return b.chain().invoke(new ClientCall(b.method().site(), a, b.method().idempotent(a)));
        }
    }
}
