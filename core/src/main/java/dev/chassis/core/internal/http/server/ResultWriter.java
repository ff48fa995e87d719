package dev.chassis.core.internal.http.server;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import dev.chassis.core.Problem;
import dev.chassis.core.http.Response;
import dev.chassis.core.internal.http.Converters;
import dev.chassis.core.internal.http.PathTemplate;
import dev.chassis.core.internal.http.Statuses;
import dev.chassis.core.internal.transport.Origins;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Writes a handler's return value, chosen once per method from its declared return type. Not API.
 */
abstract sealed class ResultWriter {
    static final Header JSON = HeaderValues.create(HeaderNames.CONTENT_TYPE, "application/json");

    abstract void write(ServerRequest req, ServerResponse res, Object result) throws Exception;

    /** Whether the method answers with a JSON body, so that an {@code Accept} header must allow JSON. */
    abstract boolean producesJson();

    /**
     * The problem type of an empty {@code Optional}: the route exists but the resource it names does not, which a
     * client must be able to tell from an unknown route ({@code about:blank}).
     */
    static final URI NO_SUCH_RESOURCE = URI.create("https://chassis.dev/problems/no-such-resource");

    static ResultWriter forReturnType(Type type, Integer declaredStatus, ObjectMapper mapper) {
        return forReturnType(type, declaredStatus, mapper, null);
    }

    /** @param template the route's path, to name the resource an empty {@code Optional} stands for (or null) */
    static ResultWriter forReturnType(Type type, Integer declaredStatus, ObjectMapper mapper, PathTemplate template) {
        Class<?> raw = rawClass(type);
        if (raw == void.class || raw == Void.class) {
            return new NoContent(Statuses.of(declaredStatus == null ? 204 : declaredStatus));
        }
        Status ok = Statuses.of(declaredStatus == null ? 200 : declaredStatus);
        if (raw == Optional.class) {
            return new OptionalBody(new Body(ok, writer(typeArgument(type), mapper)), template);
        }
        if (raw == Response.class) {
            return new ResponseBody(writer(typeArgument(type), mapper));
        }
        return new Body(ok, writer(type, mapper));
    }

    private static ObjectWriter writer(Type type, ObjectMapper mapper) {
        if (type == null || type == Object.class) {
            return mapper.writer(); // dynamic: the runtime type decides
        }
        return mapper.writerFor(mapper.constructType(type));
    }

    private static Class<?> rawClass(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType pt && pt.getRawType() instanceof Class<?> c) {
            return c;
        }
        return Object.class;
    }

    private static Type typeArgument(Type type) {
        return type instanceof ParameterizedType pt ? pt.getActualTypeArguments()[0] : null;
    }

    /** {@code void}: 204 (or the declared status) without a body. */
    static final class NoContent extends ResultWriter {
        private final Status status;

        NoContent(Status status) {
            this.status = status;
        }

        @Override
        void write(ServerRequest req, ServerResponse res, Object result) {
            res.status(status);
            res.send();
        }

        @Override
        boolean producesJson() {
            return false;
        }
    }

    /** A value: its JSON with 200 (or the declared status). */
    static final class Body extends ResultWriter {
        private final Status status;
        private final ObjectWriter writer;

        Body(Status status, ObjectWriter writer) {
            this.status = status;
            this.writer = writer;
        }

        @Override
        void write(ServerRequest req, ServerResponse res, Object result) throws Exception {
            if (result == null) {
                res.status(Status.NO_CONTENT_204);
                res.send();
                return;
            }
            byte[] bytes = writer.writeValueAsBytes(result);
            res.status(status);
            res.header(JSON);
            send(req, res, bytes);
        }

        @Override
        boolean producesJson() {
            return true;
        }
    }

    /**
     * {@code Optional}: the value, or when empty a 404 of type {@link #NO_SUCH_RESOURCE} naming the resource and its
     * id: for {@code /books/{id}}, {@code no book with id 'nope'} (the literal segment before the last variable,
     * made singular, and that variable).
     */
    static final class OptionalBody extends ResultWriter {
        private final Body body;
        private final String resource; // "book", or the whole template when it has no variable
        private final String variable; // "id", or null

        OptionalBody(Body body, PathTemplate template) {
            this.body = body;
            String[] segments = template == null ? new String[0] : template.path().substring(1).split("/");
            int last = segments.length - 1;
            while (last >= 0 && !segments[last].startsWith("{")) {
                last--;
            }
            if (last < 0) {
                this.variable = null;
                this.resource = template == null ? null : template.path();
            } else {
                this.variable = segments[last].substring(1, segments[last].length() - 1);
                this.resource = last > 0 && !segments[last - 1].startsWith("{") ? singular(segments[last - 1]) : "resource";
            }
        }

        private static String singular(String noun) {
            if (noun.endsWith("ies") && noun.length() > 3) {
                return noun.substring(0, noun.length() - 3) + "y";
            }
            return noun.endsWith("s") && !noun.endsWith("ss") && noun.length() > 1 ? noun.substring(0, noun.length() - 1)
                    : noun;
        }

        @Override
        void write(ServerRequest req, ServerResponse res, Object result) throws Exception {
            Optional<?> optional = (Optional<?>) result;
            if (optional == null || optional.isEmpty()) {
                String detail = variable != null
                        ? "no " + resource + " with " + variable + " '"
                                + Converters.abbreviate(req.path().pathParameters().first(variable).orElse("")) + "'"
                        : "no resource " + (resource != null ? resource : req.path().path());
                throw Problem.builder(404).type(NO_SUCH_RESOURCE).title("Resource Not Found").detail(detail).build();
            }
            body.write(req, res, optional.get());
        }

        @Override
        boolean producesJson() {
            return true;
        }
    }

    /** {@link Response}: its status, headers and body. */
    static final class ResponseBody extends ResultWriter {
        private final ObjectWriter writer;

        ResponseBody(ObjectWriter writer) {
            this.writer = writer;
        }

        @Override
        void write(ServerRequest req, ServerResponse res, Object result) throws Exception {
            Response<?> response = (Response<?>) result;
            if (response == null) {
                throw new IllegalStateException("handler returned a null Response");
            }
            // the body first: if it cannot be written, no header of this answer may reach the error response
            byte[] bytes = response.body() == null ? null : writer.writeValueAsBytes(response.body());
            res.status(Statuses.of(response.status()));
            String prefix = Origins.of(req).prefix();
            for (Map.Entry<String, String> h : response.headers()) {
                String value = h.getValue();
                if (!prefix.isEmpty() && h.getKey().equalsIgnoreCase("Location") && value.startsWith("/") && !value.startsWith("//")) {
                    value = prefix + value; // a path of this service, as the client reaches it behind the proxy
                }
                res.headers().add(HeaderValues.create(HeaderNames.create(h.getKey()), value)); // names may repeat
            }
            if (bytes == null) {
                res.send();
                return;
            }
            res.header(JSON);
            send(req, res, bytes);
        }

        @Override
        boolean producesJson() {
            return true;
        }
    }

    /** Sends the body, or for HEAD only its length. */
    static void send(ServerRequest req, ServerResponse res, byte[] bytes) {
        if (req.prologue().method().equals(Method.HEAD)) {
            res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(bytes.length));
            res.send();
        } else {
            res.send(bytes);
        }
    }
}
