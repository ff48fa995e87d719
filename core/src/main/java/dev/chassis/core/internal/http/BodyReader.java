package dev.chassis.core.internal.http;

import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import dev.chassis.core.Problem;
import io.helidon.http.HttpMediaType;
import io.helidon.http.RequestException;
import io.helidon.webserver.http.ServerRequest;

/**
 * Reads a {@code @Body} parameter: JSON through a reader created once for the parameter's type, or
 * the raw body for {@code String} and {@code byte[]}. Not API.
 */
final class BodyReader {
    private BodyReader() {
    }

    static ArgumentReader create(Type type, ObjectMapper mapper) {
        boolean optional = type instanceof ParameterizedType pt && pt.getRawType() == Optional.class;
        Type target = optional ? ((ParameterizedType) type).getActualTypeArguments()[0] : type;
        if (target == String.class) {
            return wrap(optional, req -> new String(req.content().as(byte[].class), StandardCharsets.UTF_8));
        }
        if (target == byte[].class) {
            return wrap(optional, req -> req.content().as(byte[].class));
        }
        JavaType javaType = mapper.constructType(target);
        ObjectReader reader = mapper.readerFor(javaType);
        return wrap(optional, req -> readJson(req, reader));
    }

    private interface Read {
        Object read(ServerRequest req) throws Exception;
    }

    private static ArgumentReader wrap(boolean optional, Read read) {
        if (optional) {
            return (req, res) -> req.content().hasEntity() ? Optional.ofNullable(read.read(req)) : Optional.empty();
        }
        return (req, res) -> {
            if (!req.content().hasEntity()) {
                throw Problem.builder(400).detail("a request body is required").error("body", "is required").build();
            }
            Object value = read.read(req);
            if (value == null) {
                throw Problem.builder(400).detail("the request body must not be JSON null").error("body", "is required").build();
            }
            return value;
        };
    }

    private static Object readJson(ServerRequest req, ObjectReader reader) throws Exception {
        Optional<HttpMediaType> contentType = req.headers().contentType();
        if (contentType.isEmpty() || !JsonMediaTypes.isJson(contentType.get())) {
            throw Problem.builder(415)
                    .detail("the request body must be application/json, but Content-Type was "
                            + contentType.map(HttpMediaType::text).map(s -> "'" + s + "'").orElse("missing"))
                    .header("Accept", "application/json")
                    .build();
        }
        try (InputStream in = req.content().inputStream()) {
            return reader.readValue(in);
        } catch (JsonProcessingException e) {
            RequestException transport = transportCause(e);
            if (transport != null) {
                throw transport; // e.g. the body passed the size limit while being read: 413, not a JSON problem
            }
            throw JsonProblems.of(e);
        }
    }

    private static RequestException transportCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RequestException re) {
                return re;
            }
        }
        return null;
    }
}
