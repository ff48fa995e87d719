package dev.chassis.core.spi;

import java.lang.reflect.Method;
import java.util.Objects;

import dev.chassis.core.internal.shared.Names;

/**
 * One handler method or one client method, as {@link CallDecorator}s see it at start-up.
 *
 * @param kind       a handler of this service, or a client of another
 * @param target     for a client, the logical target ({@code inventory}); for a handler, the service name
 * @param key        the configuration key fragment of this method: for a handler
 *                   {@code <class-in-kebab-case>.<method-in-kebab-case>} ({@code order-api.place}); for a
 *                   client the target name
 * @param method     the annotated Java method (annotations are read from it)
 * @param httpMethod {@code GET}, {@code POST}...
 * @param path       the path template
 * @param type       the class that serves the call: for a handler, the class of the endpoint object, which may have
 *                   inherited {@code method} from a superclass or implement it for an annotated interface (class-level
 *                   annotations are read from it and its supertypes); for a client, the client interface
 */
public record CallSite(Kind kind, String target, String key, Method method, String httpMethod, String path,
                       Class<?> type) {
    /** Which side of the wire. */
    public enum Kind { HANDLER, CLIENT }

    public CallSite {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(httpMethod, "httpMethod");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
    }

    /** A call site served by the class that declares {@code method}. */
    public CallSite(Kind kind, String target, String key, Method method, String httpMethod, String path) {
        this(kind, target, key, method, httpMethod, path, Objects.requireNonNull(method, "method").getDeclaringClass());
    }

    /** Whether the HTTP method is idempotent (RFC 9110: GET, HEAD, PUT, DELETE, OPTIONS, TRACE). */
    public boolean idempotentMethod() {
        return switch (httpMethod) {
            case "GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE" -> true;
            default -> false;
        };
    }

    /** {@code Class.method(Params)}, for messages. */
    public String describe() {
        return Names.method(method);
    }
}
