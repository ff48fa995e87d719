package dev.chassis.core.internal.http.server;

import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chassis.core.Caller;
import dev.chassis.core.Peer;
import dev.chassis.core.Problem;
import dev.chassis.core.http.Body;
import dev.chassis.core.http.Header;
import dev.chassis.core.http.Origin;
import dev.chassis.core.http.PathParam;
import dev.chassis.core.http.QueryParam;
import dev.chassis.core.spi.HttpOperation;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import dev.chassis.core.internal.http.Converters;
import dev.chassis.core.internal.http.PathTemplate;
import dev.chassis.core.internal.tls.Peers;
import dev.chassis.core.internal.transport.Origins;

/**
 * Turns one handler parameter into an {@link ArgumentReader}, validating its annotation and type.
 * Errors are thrown as {@link IllegalArgumentException} with the fix; the caller adds class and method.
 * Not API.
 */
final class ParameterBinder {
    private ParameterBinder() {
    }

    static ArgumentReader bind(Parameter p, PathTemplate template, ObjectMapper mapper) {
        Class<?> raw = p.getType();
        if (raw == ServerRequest.class) {
            return (req, res) -> req;
        }
        if (raw == ServerResponse.class) {
            return (req, res) -> res;
        }
        if (raw == Peer.class) {
            return (req, res) -> Peers.of(req);
        }
        if (raw == Caller.class) {
            return (req, res) -> Callers.of(req);
        }
        if (raw == Origin.class) {
            return (req, res) -> Origins.of(req);
        }
        PathParam path = p.getAnnotation(PathParam.class);
        QueryParam query = p.getAnnotation(QueryParam.class);
        Header header = p.getAnnotation(Header.class);
        Body body = p.getAnnotation(Body.class);
        int count = (path != null ? 1 : 0) + (query != null ? 1 : 0) + (header != null ? 1 : 0) + (body != null ? 1 : 0);
        if (count == 0) {
            throw new IllegalArgumentException("parameter '" + p.getName() + "' has no binding annotation."
                    + " Fix: annotate it with @PathParam, @QueryParam, @Header or @Body, or take ServerRequest/ServerResponse/Peer/Caller/Origin");
        }
        if (count > 1) {
            throw new IllegalArgumentException("parameter '" + p.getName() + "' has more than one binding annotation."
                    + " Fix: keep exactly one of @PathParam, @QueryParam, @Header, @Body");
        }
        if (body != null) {
            return BodyReader.create(p.getParameterizedType(), mapper);
        }
        if (path != null) {
            String name = name(p, path.value(), "@PathParam");
            if (!template.variables().contains(name)) {
                throw new IllegalArgumentException("@PathParam '" + name + "' is not a variable of path " + template.path()
                        + " (variables: " + template.variables() + "). Fix: add {" + name + "} to the path or correct the name");
            }
            Converters.Converter converter = scalar(p, raw, "@PathParam");
            String field = name;
            return (req, res) -> convert(req.path().pathParameters().get(field), converter, "path parameter", field);
        }
        if (query != null) {
            String name = name(p, query.value(), "@QueryParam");
            return multi(p, "query parameter", name, query.defaultValue(), (req, n) -> req.query().all(n, List::of));
        }
        String name = name(p, header.value(), "@Header");
        HeaderName headerName = HeaderNames.create(name);
        return multi(p, "header", name, header.defaultValue(), (req, n) -> req.headers().all(headerName, List::of));
    }

    /**
     * The name a parameter's violations are reported under: its path, query or header name; {@code null} for the
     * body (reported by the path inside it) and for the request and response. Call after {@link #bind}.
     */
    static String fieldName(Parameter p) {
        PathParam path = p.getAnnotation(PathParam.class);
        if (path != null) {
            return name(p, path.value(), "@PathParam");
        }
        QueryParam query = p.getAnnotation(QueryParam.class);
        if (query != null) {
            return name(p, query.value(), "@QueryParam");
        }
        Header header = p.getAnnotation(Header.class);
        return header != null ? name(p, header.value(), "@Header") : null;
    }

    /**
     * A path, query or header parameter as documents describe it; null for the body, the request, the response, the
     * peer and the caller. Call after {@link #bind}.
     */
    static HttpOperation.Parameter describe(Parameter p) {
        PathParam path = p.getAnnotation(PathParam.class);
        QueryParam query = p.getAnnotation(QueryParam.class);
        Header header = p.getAnnotation(Header.class);
        if (path != null) {
            return new HttpOperation.Parameter(name(p, path.value(), "@PathParam"), HttpOperation.In.PATH,
                    p.getParameterizedType(), true, null);
        }
        if (query == null && header == null) {
            return null;
        }
        String dflt = query != null ? query.defaultValue() : header.defaultValue();
        boolean many = p.getType() == Optional.class || p.getType() == List.class;
        return new HttpOperation.Parameter(fieldName(p), query != null ? HttpOperation.In.QUERY : HttpOperation.In.HEADER,
                p.getParameterizedType(), !many && dflt.isEmpty(), dflt.isEmpty() ? null : dflt);
    }

    private interface ValuesSource {
        List<String> values(ServerRequest req, String name);
    }

    private static ArgumentReader multi(Parameter p, String what, String name, String defaultValue, ValuesSource source) {
        Class<?> raw = p.getType();
        String annotation = what.equals("header") ? "@Header" : "@QueryParam";
        String dflt = defaultValue.isEmpty() ? null : defaultValue;
        if (raw == Optional.class || raw == List.class) {
            Class<?> element = typeArgument(p);
            Converters.Converter converter = Converters.forType(element);
            if (converter == null) {
                throw unsupported(p, annotation);
            }
            if (dflt != null) {
                converter.convert(dflt); // fails start-up when the default itself does not convert
            }
            if (raw == Optional.class) {
                return (req, res) -> {
                    List<String> values = source.values(req, name);
                    String v = values.isEmpty() ? dflt : values.get(0);
                    return v == null ? Optional.empty() : Optional.of(convert(v, converter, what, name));
                };
            }
            return (req, res) -> {
                List<String> values = source.values(req, name);
                if (values.isEmpty()) {
                    return dflt == null ? List.of() : List.of(convert(dflt, converter, what, name));
                }
                List<Object> out = new ArrayList<>(values.size());
                for (String v : values) {
                    out.add(convert(v, converter, what, name));
                }
                return List.copyOf(out);
            };
        }
        Converters.Converter converter = scalar(p, raw, annotation);
        if (dflt != null) {
            try {
                converter.convert(dflt);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the defaultValue of " + annotation + " '" + name + "' does not convert: "
                        + e.getMessage() + ". Fix: correct the defaultValue");
            }
        }
        return (req, res) -> {
            List<String> values = source.values(req, name);
            String v = values.isEmpty() ? dflt : values.get(0);
            if (v == null) {
                throw Problem.builder(400).detail("missing required " + what + " '" + name + "'")
                        .error(name, "is required").build();
            }
            return convert(v, converter, what, name);
        };
    }

    private static Object convert(String text, Converters.Converter converter, String what, String name) {
        try {
            return converter.convert(text);
        } catch (IllegalArgumentException e) {
            throw Problem.builder(400).detail("invalid " + what + " '" + name + "'").error(name, e.getMessage()).build();
        }
    }

    private static Converters.Converter scalar(Parameter p, Class<?> raw, String annotation) {
        Converters.Converter converter = Converters.forType(raw);
        if (converter == null) {
            throw unsupported(p, annotation);
        }
        return converter;
    }

    private static IllegalArgumentException unsupported(Parameter p, String annotation) {
        return new IllegalArgumentException(annotation + " parameter '" + p.getName() + "' has unsupported type "
                + p.getParameterizedType().getTypeName() + ". Fix: use String, a primitive or its box, UUID, an enum,"
                + " Instant, LocalDate, LocalDateTime, OffsetDateTime or Duration"
                + (annotation.equals("@PathParam") ? "" : ", or Optional/List of one of them"));
    }

    private static String name(Parameter p, String given, String annotation) {
        if (!given.isEmpty()) {
            return given;
        }
        if (!p.isNamePresent()) {
            throw new IllegalArgumentException(annotation + " on " + p.getName() + " needs a name: the class was compiled"
                    + " without -parameters. Fix: compile with -parameters or write " + annotation + "(\"name\")");
        }
        return p.getName();
    }

    private static Class<?> typeArgument(Parameter p) {
        Type t = p.getParameterizedType();
        if (t instanceof ParameterizedType pt && pt.getActualTypeArguments()[0] instanceof Class<?> c) {
            return c;
        }
        throw new IllegalArgumentException("parameter '" + p.getName() + "' of type " + t.getTypeName()
                + " needs a concrete type argument. Fix: declare it as e.g. Optional<String> or List<Integer>");
    }
}
