package dev.chassis.core.spi;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Objects;

/**
 * One annotated HTTP handler of the service port as Chassis bound it, for extensions that describe the service
 * (the OpenAPI document): its method and path, what it reads and what it answers. Immutable.
 *
 * @param method         {@code GET}, {@code POST}...
 * @param path           the path template, variables as {@code {name}} ({@code /orders/{id}})
 * @param handler        the annotated Java method (summary annotations and the like are read from it)
 * @param key            the handler's configuration key fragment ({@code order-api.place})
 * @param parameters     the path, query and header parameters, in declaration order
 * @param body           the {@code @Body} parameter's type with any {@code Optional} removed, or null for none
 * @param bodyRequired   whether a request without a body is refused (a {@code @Body} that is not {@code Optional})
 * @param answer         the type of the answer's JSON body ({@code Optional} and {@code Response} removed), or
 *                       null when it answers no body ({@code void})
 * @param status         the success status: {@code @Status}, else 204 for {@code void} and 200 otherwise
 * @param dynamicStatus  the handler returns a {@code Response}, whose status it sets per call
 * @param optional       the handler returns an {@code Optional}, so an empty one answers 404
 * @param validated      Bean Validation constraints apply to its arguments (400 with {@code errors})
 * @param idempotencyKey the handler takes part in the {@code Idempotency-Key} protocol (POST and PATCH when the
 *                       service keeps answers): a key reused with another body answers 422
 * @param access         what the access policy asks of a caller, or null when there is no policy or it cannot say
 * @param statuses       the problem statuses the call decorators' policies may answer (429 for a rate limit...)
 */
public record HttpOperation(String method, String path, Method handler, String key, List<Parameter> parameters,
                            Type body, boolean bodyRequired, Type answer, int status, boolean dynamicStatus,
                            boolean optional, boolean validated, boolean idempotencyKey,
                            AccessPolicy.Requirement access, List<Integer> statuses) {
    public HttpOperation {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(key, "key");
        parameters = List.copyOf(parameters);
        statuses = List.copyOf(statuses);
    }

    /** Where a parameter is read from. */
    public enum In { PATH, QUERY, HEADER }

    /**
     * One path, query or header parameter.
     *
     * @param name         its name on the wire
     * @param in           where it is read from
     * @param type         its Java type ({@code Optional<T>} and {@code List<T>} as declared)
     * @param required     a request without it is refused with 400
     * @param defaultValue the value used when it is absent, or null
     */
    public record Parameter(String name, In in, Type type, boolean required, String defaultValue) {
        public Parameter {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(in, "in");
            Objects.requireNonNull(type, "type");
        }
    }
}
