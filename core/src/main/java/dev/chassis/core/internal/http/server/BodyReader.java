package dev.chassis.core.internal.http.server;

import java.io.ByteArrayInputStream;
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
import io.helidon.http.media.ReadableEntity;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import dev.chassis.core.internal.http.JsonMediaTypes;
import dev.chassis.core.internal.transport.HangUps;

/**
 * Reads a {@code @Body} parameter: JSON through a reader created once for the parameter's type, or
 * the raw body for {@code String} and {@code byte[]}. Not API.
 */
final class BodyReader {
    private BodyReader() {
    }

    static BodyArgument create(Type type, ObjectMapper mapper) {
        boolean optional = type instanceof ParameterizedType pt && pt.getRawType() == Optional.class;
        Type target = optional ? ((ParameterizedType) type).getActualTypeArguments()[0] : type;
        if (target == String.class) {
            return new BodyArgument(optional, (req, content) -> new String(content.bytes(), StandardCharsets.UTF_8));
        }
        if (target == byte[].class) {
            return new BodyArgument(optional, (req, content) -> content.bytes());
        }
        JavaType javaType = mapper.constructType(target);
        ObjectReader reader = mapper.readerFor(javaType);
        return new BodyArgument(optional, (req, content) -> readJson(req, content, reader));
    }

    /** The body as read from the connection, or as read already (a request with an Idempotency-Key). */
    private interface Content {
        boolean present();

        byte[] bytes();

        InputStream stream();
    }

    private interface Read {
        Object read(ServerRequest req, Content content) throws Exception;
    }

    /** The reader of a {@code @Body} parameter. */
    static final class BodyArgument implements ArgumentReader {
        private final boolean optional;
        private final Read read;

        private BodyArgument(boolean optional, Read read) {
            this.optional = optional;
            this.read = read;
        }

        @Override
        public Object read(ServerRequest req, ServerResponse res) throws Exception {
            ReadableEntity entity = req.content();
            try {
                return readFromConnection(req, entity);
            } catch (RuntimeException e) {
                throw HangUps.whileReadingBody(req, e); // a client that hung up while its body was read: a 400
            }
        }

        private Object readFromConnection(ServerRequest req, ReadableEntity entity) throws Exception {
            return read(req, new Content() {
                @Override
                public boolean present() {
                    return entity.hasEntity();
                }

                @Override
                public byte[] bytes() {
                    return entity.as(byte[].class);
                }

                @Override
                public InputStream stream() {
                    return entity.inputStream();
                }
            });
        }

        /** Reads the parameter from a body read already; an empty one counts as absent. */
        Object read(ServerRequest req, byte[] body) throws Exception {
            return read(req, new Content() {
                @Override
                public boolean present() {
                    return body.length > 0;
                }

                @Override
                public byte[] bytes() {
                    return body;
                }

                @Override
                public InputStream stream() {
                    return new ByteArrayInputStream(body);
                }
            });
        }

        private Object read(ServerRequest req, Content content) throws Exception {
            if (optional) {
                return content.present() ? Optional.ofNullable(read.read(req, content)) : Optional.empty();
            }
            if (!content.present()) {
                throw Problem.builder(400).detail("a request body is required").error("body", "is required").build();
            }
            Object value = read.read(req, content);
            if (value == null) {
                throw Problem.builder(400).detail("the request body must not be JSON null").error("body", "is required").build();
            }
            return value;
        }
    }

    private static Object readJson(ServerRequest req, Content content, ObjectReader reader) throws Exception {
        Optional<HttpMediaType> contentType = req.headers().contentType();
        if (contentType.isEmpty() || !JsonMediaTypes.isJson(contentType.get())) {
            throw Problem.builder(415)
                    .detail("the request body must be application/json, but Content-Type was "
                            + contentType.map(HttpMediaType::text).map(s -> "'" + s + "'").orElse("missing"))
                    .header("Accept", "application/json")
                    .build();
        }
        try (InputStream in = content.stream()) {
            return reader.readValue(in);
        } catch (JsonProcessingException e) {
            if (HangUps.endedEarly(e)) {
                throw HangUps.bodyEnded(req); // Jackson wrapped the body's end in a deserializer's failure
            }
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
