package dev.chassis.core.internal.http.server;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chassis.core.internal.shared.Names;
import dev.chassis.core.internal.validation.Validation;
import dev.chassis.core.spi.AccessPolicy;
import dev.chassis.core.spi.CallDecorator;
import dev.chassis.core.spi.CallSite;
import dev.chassis.core.spi.HttpOperation;
import dev.chassis.core.spi.Invocation;

import dev.chassis.core.http.Body;
import dev.chassis.core.http.BindingException;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.Response;
import dev.chassis.core.http.Status;
import dev.chassis.core.internal.http.HttpAnnotations;
import dev.chassis.core.internal.http.PathTemplate;

/**
 * Reads the annotations of an endpoint object once, at start-up, and turns each handler method into a
 * {@link Route} whose handler invokes the method through a {@link MethodHandle}: no reflection per
 * request. Misuse fails with a {@link BindingException} naming the class, the method and the fix.
 * Not API.
 */
public final class EndpointBinder {
    private final ObjectMapper mapper;
    private final String service;
    private final List<CallDecorator> decorators;
    private final IdempotentRequests idempotency;
    private final AccessPolicy access;
    private final List<HttpOperation> operations = new ArrayList<>();

    /**
     * @param mapper      the JSON mapper
     * @param service     the service name, for call sites
     * @param decorators  wrap each handler's invocation, first one outermost
     * @param idempotency handles Idempotency-Key on POST and PATCH handlers, or null when the service keeps no answers
     * @param access      who may call each handler, or null when everyone may
     */
    public EndpointBinder(ObjectMapper mapper, String service, List<CallDecorator> decorators,
                          IdempotentRequests idempotency, AccessPolicy access) {
        this.idempotency = idempotency;
        this.access = access;
        this.mapper = mapper;
        this.service = service;
        this.decorators = List.copyOf(decorators);
    }

    /**
     * The routes of one endpoint object. Annotations are read from the class's methods, or — for a class
     * that implements an annotated client interface — from the interface's methods.
     */
    public List<Route> bind(Object endpoint) {
        Class<?> type = endpoint.getClass();
        List<Method> methods = new ArrayList<>(Arrays.asList(type.getMethods()));
        for (Method m : type.getDeclaredMethods()) {
            if (!Modifier.isPublic(m.getModifiers()) && HttpAnnotations.httpMethod(m) != null) {
                throw new BindingException(where(m) + " is a handler but is not public. Fix: make it public");
            }
        }
        methods.sort(Comparator.comparing(Method::getName).thenComparing(Method::toGenericString));
        List<Route> routes = new ArrayList<>();
        for (Method m : methods) {
            Method annotated = annotatedVersion(type, m);
            String httpMethod = HttpAnnotations.httpMethod(annotated);
            if (httpMethod == null) {
                if (m.isAnnotationPresent(Path.class) || m.isAnnotationPresent(Status.class)) {
                    throw new BindingException(where(m) + " has @Path or @Status but no HTTP method annotation."
                            + " Fix: add @Get, @Post, @Put, @Patch, @Delete, @Head or @Options");
                }
                continue;
            }
            Path classPath = type.getAnnotation(Path.class) != null ? type.getAnnotation(Path.class)
                    : annotated.getDeclaringClass().getAnnotation(Path.class);
            routes.add(bindMethod(endpoint, m, annotated, httpMethod, classPath == null ? "" : classPath.value()));
        }
        if (routes.isEmpty()) {
            throw new BindingException(type.getName() + " has no public handler methods."
                    + " Fix: annotate methods with @Get, @Post, @Put, @Patch, @Delete, @Head or @Options");
        }
        return routes;
    }

    /** What the routes bound so far serve, in binding order, for documents that describe the service. */
    public List<HttpOperation> operations() {
        return List.copyOf(operations);
    }

    /**
     * Adds a HEAD route for every annotated GET route that has none (RFC 9110 §9.1: a server that supports
     * GET supports HEAD): the same handler, answering the same status and headers without the body.
     */
    public static List<Route> withHeadRoutes(List<Route> routes) {
        List<Route> all = new ArrayList<>(routes);
        for (Route r : routes) {
            boolean hasHead = routes.stream().anyMatch(o -> o.method().equals(io.helidon.http.Method.HEAD) // CHECKSTYLE:FQN-OK
                    && o.template().shape().equals(r.template().shape()));
            if (r.method().equals(io.helidon.http.Method.GET) && r.handler() instanceof HandlerInvoker && !hasHead) { // CHECKSTYLE:FQN-OK
                all.add(new Route(io.helidon.http.Method.HEAD, r.template(), r.handler(), r.origin() + " (as HEAD)")); // CHECKSTYLE:FQN-OK
            }
        }
        return all;
    }

    /** Checks that no two routes share a method and path shape; fails naming both. */
    public static void checkDuplicates(List<Route> routes) {
        for (int i = 0; i < routes.size(); i++) {
            for (int j = i + 1; j < routes.size(); j++) {
                Route a = routes.get(i);
                Route b = routes.get(j);
                if (a.method().equals(b.method()) && a.template().shape().equals(b.template().shape())) {
                    throw new BindingException("Duplicate route " + a.method().text() + " " + a.path() + ": declared by "
                            + a.origin() + " and by " + b.origin() + ". Fix: change the path or the method of one of them");
                }
            }
        }
    }

    /** The method itself when it carries an HTTP annotation, else the interface method it implements that does. */
    private static Method annotatedVersion(Class<?> type, Method m) {
        if (HttpAnnotations.httpMethod(m) != null || Modifier.isStatic(m.getModifiers())) {
            return m;
        }
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                try {
                    Method candidate = i.getMethod(m.getName(), m.getParameterTypes());
                    if (HttpAnnotations.httpMethod(candidate) != null) {
                        return candidate;
                    }
                } catch (NoSuchMethodException notThere) {
                    // keep looking
                }
            }
        }
        return m;
    }

    private Route bindMethod(Object endpoint, Method m, Method annotated, String httpMethod, String classPath) {
        if (Modifier.isStatic(m.getModifiers())) {
            throw new BindingException(where(m) + " is static. Fix: make handler methods instance methods");
        }
        PathTemplate template;
        try {
            template = PathTemplate.of(classPath, HttpAnnotations.methodPath(annotated, httpMethod));
        } catch (IllegalArgumentException e) {
            throw new BindingException(where(m) + ": invalid path: " + e.getMessage()
                    + ". Fix: use literal segments and whole {name} variables, e.g. /orders/{id}");
        }
        Parameter[] params = annotated.getParameters();
        ArgumentReader[] readers = new ArgumentReader[params.length];
        String[] fields = new String[params.length];
        int bodies = 0;
        int body = -1;
        for (int i = 0; i < params.length; i++) {
            if (params[i].isAnnotationPresent(Body.class)) {
                bodies++;
                body = i;
            }
            try {
                readers[i] = ParameterBinder.bind(params[i], template, mapper);
                fields[i] = ParameterBinder.fieldName(params[i]);
            } catch (IllegalArgumentException e) {
                throw new BindingException(where(m) + ": " + e.getMessage());
            }
        }
        if (bodies > 1) {
            throw new BindingException(where(m) + " has " + bodies + " @Body parameters; a request has one body."
                    + " Fix: keep one @Body and put the other values in it, or read them from the path, query or headers");
        }
        Status status = annotated.getAnnotation(Status.class);
        if (status != null && (status.value() < 100 || status.value() > 399)) {
            throw new BindingException(where(m) + " has @Status(" + status.value() + "); a success status is 100–399."
                    + " Fix: throw a Problem for errors");
        }
        ResultWriter writer = ResultWriter.forReturnType(m.getGenericReturnType(), status == null ? null : status.value(),
                mapper, template);
        CallSite site = new CallSite(CallSite.Kind.HANDLER, service, Names.handlerKey(m.getDeclaringClass(), m), m,
                httpMethod, template.path(), endpoint.getClass());
        MethodHandle handle = invoker(endpoint, m);
        Validation.ArgumentsCheck constraints;
        try {
            constraints = Validation.detected().forHandler(endpoint, annotated, fields, body);
        } catch (RuntimeException e) { // the provider's word on constraints it cannot apply (e.g. HV000151)
            throw new BindingException(where(m) + " declares constraints that cannot be checked: " + e.getMessage());
        }
        Invocation base = call -> {
            try {
                return (Object) handle.invokeExact(call.args());
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        };
        Invocation chain = base;
        for (int i = decorators.size() - 1; i >= 0; i--) {
            chain = decorators.get(i).decorate(site, chain);
        }
        AccessPolicy.Rule rule = access == null ? AccessPolicy.Rule.PERMIT : access.forHandler(site);
        operations.add(describe(site, annotated, m.getGenericReturnType(), status, body, constraints != null));
        return new Route(io.helidon.http.Method.create(httpMethod), template, // CHECKSTYLE:FQN-OK
                new HandlerInvoker(handle, chain == base ? null : chain, site,
                        rule == null || rule == AccessPolicy.Rule.PERMIT ? null : rule, readers, constraints, writer,
                        httpMethod.equals("POST") || httpMethod.equals("PATCH") ? idempotency : null), where(m));
    }

    private HttpOperation describe(CallSite site, Method annotated, Type returned, Status status, int body,
                                   boolean validated) {
        List<HttpOperation.Parameter> parameters = new ArrayList<>();
        for (Parameter p : annotated.getParameters()) {
            HttpOperation.Parameter described = ParameterBinder.describe(p);
            if (described != null) {
                parameters.add(described);
            }
        }
        Type bodyType = body < 0 ? null : annotated.getParameters()[body].getParameterizedType();
        boolean bodyRequired = bodyType != null && !(bodyType instanceof ParameterizedType pt && pt.getRawType() == Optional.class);
        if (bodyType != null && !bodyRequired) {
            bodyType = ((ParameterizedType) bodyType).getActualTypeArguments()[0];
        }
        Class<?> raw = returned instanceof ParameterizedType pt && pt.getRawType() instanceof Class<?> c ? c
                : returned instanceof Class<?> c ? c : Object.class;
        boolean none = raw == void.class || raw == Void.class;
        boolean unwrap = raw == Optional.class || raw == Response.class;
        Type answer = none ? null : unwrap ? (returned instanceof ParameterizedType pt ? pt.getActualTypeArguments()[0]
                : Object.class) : returned;
        Set<Integer> statuses = new TreeSet<>();
        decorators.forEach(d -> statuses.addAll(d.statuses(site)));
        return new HttpOperation(site.httpMethod(), site.path(), site.method(), site.key(), parameters, bodyType,
                bodyRequired, answer, status != null ? status.value() : none ? 204 : 200, raw == Response.class,
                raw == Optional.class, validated, idempotency != null && (site.httpMethod().equals("POST")
                || site.httpMethod().equals("PATCH")), access == null ? null : access.requirement(site),
                List.copyOf(statuses));
    }

    /** {@code OrderApi} → {@code order-api}; {@code placeOrder} → {@code place-order}. */
    private static MethodHandle invoker(Object endpoint, Method m) {
        try {
            if (!Modifier.isPublic(m.getDeclaringClass().getModifiers())) {
                m.setAccessible(true); // a public method of a non-public class: allowed, as the service owns both
            }
            return MethodHandles.lookup().unreflect(m)
                    .bindTo(endpoint)
                    .asSpreader(Object[].class, m.getParameterCount())
                    .asType(MethodType.methodType(Object.class, Object[].class));
        } catch (IllegalAccessException | RuntimeException e) {
            throw new BindingException(where(m) + " cannot be called by Chassis (" + e.getMessage() + ")."
                    + " Fix: make the class and the method public, or open its package");
        }
    }

    static String where(Method m) {
        return Names.method(m);
    }
}
