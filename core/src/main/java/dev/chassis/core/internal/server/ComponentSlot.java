package dev.chassis.core.internal.server;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Objects;

/**
 * A component asked for on the builder ({@code ServiceBuilder.component(Publisher.class)}) before the
 * extension that provides it exists: a proxy to hand to handlers now, bound to the provided instance at
 * start. Not API.
 */
public final class ComponentSlot<T> {
    private final Class<T> type;
    private final String missing;
    private final T proxy;
    private volatile T target;

    /** A component the application asks for on the builder. */
    public ComponentSlot(Class<T> type) {
        this(type, "the application asks for it with component(" + type.getSimpleName() + ".class). Fix: add the"
                + " module that provides it (its documentation names it), or enable it");
    }

    /** A component asked for; {@code missing} says who needs it and how to fix its absence. */
    public ComponentSlot(Class<T> type, String missing) {
        this.type = Objects.requireNonNull(type, "type");
        this.missing = Objects.requireNonNull(missing, "missing");
        if (!type.isInterface()) {
            throw new IllegalArgumentException(type.getName() + " is not an interface: a component is asked for by"
                    + " the interface an extension provides (Publisher, DeadLetters, ...)");
        }
        InvocationHandler handler = this::invoke;
        this.proxy = type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    public Class<T> type() {
        return type;
    }

    public T proxy() {
        return proxy;
    }

    /** Why it is needed and how to provide it, for the start-up error when nothing provides it. */
    String missing() {
        return missing;
    }

    void bind(Object instance) {
        target = type.cast(instance);
    }

    private Object invoke(Object self, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> self == args[0];
                case "hashCode" -> System.identityHashCode(self);
                default -> type.getSimpleName() + " of a Chassis service";
            };
        }
        T t = target;
        if (t == null) {
            throw new IllegalStateException(type.getSimpleName() + " is not ready: the service has not started");
        }
        try {
            return method.invoke(t, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
