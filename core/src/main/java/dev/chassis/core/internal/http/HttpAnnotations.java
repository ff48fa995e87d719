package dev.chassis.core.internal.http;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;

import dev.chassis.core.http.BindingException;
import dev.chassis.core.http.Delete;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Head;
import dev.chassis.core.http.Options;
import dev.chassis.core.http.Patch;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.Post;
import dev.chassis.core.http.Put;
import dev.chassis.core.internal.shared.Names;

/** Reads the HTTP annotations that handlers and declarative clients share. Not API. */
public final class HttpAnnotations {
    private HttpAnnotations() {
    }

    /** The HTTP method a method's annotation names ({@code GET}...), or null; two annotations are a misuse. */
    public static String httpMethod(Method m) {
        String found = null;
        int count = 0;
        for (Annotation a : m.getAnnotations()) {
            String name = switch (a) {
                case Get g -> "GET";
                case Post p -> "POST";
                case Put p -> "PUT";
                case Patch p -> "PATCH";
                case Delete d -> "DELETE";
                case Head h -> "HEAD";
                case Options o -> "OPTIONS";
                default -> null;
            };
            if (name != null) {
                found = name;
                count++;
            }
        }
        if (count > 1) {
            throw new BindingException(Names.method(m) + " has more than one HTTP method annotation."
                    + " Fix: keep one; write a second method for the other HTTP method");
        }
        return found;
    }

    /** The path of a method: from {@code @Path} or its HTTP method annotation, not both. */
    public static String methodPath(Method m, String httpMethod) {
        String inMethodAnnotation = switch (httpMethod) {
            case "GET" -> m.getAnnotation(Get.class).value();
            case "POST" -> m.getAnnotation(Post.class).value();
            case "PUT" -> m.getAnnotation(Put.class).value();
            case "PATCH" -> m.getAnnotation(Patch.class).value();
            case "DELETE" -> m.getAnnotation(Delete.class).value();
            case "HEAD" -> m.getAnnotation(Head.class).value();
            default -> m.getAnnotation(Options.class).value();
        };
        Path path = m.getAnnotation(Path.class);
        if (path != null && !inMethodAnnotation.isEmpty()) {
            throw new BindingException(Names.method(m) + " sets its path twice (in @Path and in the HTTP method annotation)."
                    + " Fix: keep one");
        }
        return path != null ? path.value() : inMethodAnnotation;
    }
}
