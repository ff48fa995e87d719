package dev.chassis.core.internal.http.server;

import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import dev.chassis.core.internal.http.PathTemplate;

/**
 * One bound route: method, path template and the handler that serves it. Not API.
 *
 * @param method   the HTTP method
 * @param template the path template
 * @param handler  the Helidon handler
 * @param origin   what declared it, for error messages ({@code OrderApi.get(String)}, {@code extension health})
 */
public record Route(Method method, PathTemplate template, Handler handler, String origin) {

    /** A route declared in code (extensions, built-ins) rather than by annotation. */
    public static Route of(Method method, String path, Handler handler, String origin) {
        return new Route(method, PathTemplate.of("", path), handler, origin);
    }

    /** The path template. */
    public String path() {
        return template.path();
    }

    /** Higher for routes that must be tried first ({@code /orders/search} before {@code /orders/{id}}). */
    public int specificity() {
        return template.specificity();
    }
}
