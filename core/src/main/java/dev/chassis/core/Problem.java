package dev.chassis.core;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An RFC 9457 problem detail, thrown to answer a request with an error.
 *
 * <p>A handler throws a {@code Problem} ({@code throw Problem.notFound("no order " + id)}) and the
 * client receives {@code application/problem+json} with {@code type}, {@code title}, {@code status},
 * {@code detail}, {@code instance} and the request's {@code traceId}; validation problems add
 * {@code errors: [{field, message}]}. The same type is what a Chassis client throws when a call
 * answers with a problem.
 *
 * <p>Immutable. A {@code Problem} carries no stack trace: it is an answer, not a bug.
 */
public final class Problem extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The {@code type} of a problem that has no more specific type (RFC 9457 §4.2.1). */
    public static final URI ABOUT_BLANK = URI.create("about:blank");
    private static final Set<String> RESERVED = Set.of("type", "title", "status", "detail", "instance", "traceId", "errors");

    /** One invalid input: which field (or parameter) and what is wrong with it. */
    public record FieldError(String field, String message) {
        public FieldError {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(message, "message");
        }
    }

    private final URI type;
    private final String title;
    private final int status;
    private final String detail;
    private final URI instance;
    private final transient List<FieldError> errors;
    private final transient Map<String, Object> extensions;
    private final transient Map<String, String> headers;

    private Problem(Builder b) {
        super(b.detail == null ? b.title : b.detail, null, false, false);
        this.type = b.type;
        this.title = b.title;
        this.status = b.status;
        this.detail = b.detail;
        this.instance = b.instance;
        this.errors = List.copyOf(b.errors);
        this.extensions = Collections.unmodifiableMap(new LinkedHashMap<>(b.extensions));
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
    }

    /** A builder for a problem with this HTTP status (400–599). */
    public static Builder builder(int status) {
        return new Builder(status);
    }

    /** 400: the request is malformed or invalid. */
    public static Problem badRequest(String detail) {
        return builder(400).detail(detail).build();
    }

    /** 400 with the invalid fields. */
    public static Problem invalid(String detail, List<FieldError> errors) {
        return builder(400).detail(detail).errors(errors).build();
    }

    /** 404: the resource does not exist. */
    public static Problem notFound(String detail) {
        return builder(404).detail(detail).build();
    }

    /** 409: the request conflicts with the resource's current state. */
    public static Problem conflict(String detail) {
        return builder(409).detail(detail).build();
    }

    /** 422: the request is well-formed but cannot be processed. */
    public static Problem unprocessable(String detail) {
        return builder(422).detail(detail).build();
    }

    /** 503 with {@code Retry-After}: try again later. */
    public static Problem unavailable(String detail, int retryAfterSeconds) {
        return builder(503).detail(detail).header("Retry-After", Integer.toString(retryAfterSeconds)).build();
    }

    /** The problem type, {@link #ABOUT_BLANK} when none was given. */
    public URI type() {
        return type;
    }

    /** A short summary of the problem type; defaults to the reason phrase of the status. */
    public String title() {
        return title;
    }

    /** The HTTP status code. */
    public int status() {
        return status;
    }

    /** The explanation specific to this occurrence, or {@code null}. */
    public String detail() {
        return detail;
    }

    /** The URI of this occurrence (usually the request path), or {@code null}. */
    public URI instance() {
        return instance;
    }

    /** Invalid fields; empty unless this is a validation problem. */
    public List<FieldError> errors() {
        return errors;
    }

    /** Extension members, in insertion order (never a reserved member name). */
    public Map<String, Object> extensions() {
        return extensions;
    }

    /** Response headers to send with this problem, such as {@code Retry-After}. */
    public Map<String, String> headers() {
        return headers;
    }

    /** A builder that starts from this problem. */
    public Builder toBuilder() {
        Builder b = new Builder(status).type(type).title(title).detail(detail).instance(instance).errors(errors);
        extensions.forEach(b::extension);
        headers.forEach(b::header);
        return b;
    }

    @Override
    public String toString() {
        return "Problem[" + status + " " + title + (detail == null ? "" : ": " + detail) + "]";
    }

    /** The standard reason phrase of a status, used as the default title. */
    public static String reasonPhrase(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 406 -> "Not Acceptable";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 410 -> "Gone";
            case 412 -> "Precondition Failed";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 415 -> "Unsupported Media Type";
            case 422 -> "Unprocessable Content";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 499 -> "Client Closed Request";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 505 -> "HTTP Version Not Supported";
            default -> status < 500 ? "Client Error" : "Server Error";
        };
    }

    /** Builds a {@link Problem}. Not thread-safe. */
    public static final class Builder {
        private final int status;
        private URI type = ABOUT_BLANK;
        private String title;
        private String detail;
        private URI instance;
        private final List<FieldError> errors = new ArrayList<>();
        private final Map<String, Object> extensions = new LinkedHashMap<>();
        private final Map<String, String> headers = new LinkedHashMap<>();

        private Builder(int status) {
            if (status < 400 || status > 599) {
                throw new IllegalArgumentException("status must be between 400 and 599, but was " + status);
            }
            this.status = status;
        }

        /** The problem type URI; {@code about:blank} when not set. */
        public Builder type(URI type) {
            this.type = Objects.requireNonNull(type, "type");
            return this;
        }

        /** A short, human-readable summary of the problem type. */
        public Builder title(String title) {
            this.title = title;
            return this;
        }

        /** What went wrong in this occurrence. Never put internals (stack traces, SQL, class names) here. */
        public Builder detail(String detail) {
            this.detail = detail;
            return this;
        }

        /** The URI of this occurrence. */
        public Builder instance(URI instance) {
            this.instance = instance;
            return this;
        }

        /** Adds invalid fields. */
        public Builder errors(List<FieldError> errors) {
            this.errors.addAll(Objects.requireNonNull(errors, "errors"));
            return this;
        }

        /** Adds one invalid field. */
        public Builder error(String field, String message) {
            this.errors.add(new FieldError(field, message));
            return this;
        }

        /** Adds an extension member; its name must not be one of the standard members. */
        public Builder extension(String name, Object value) {
            Objects.requireNonNull(name, "name");
            if (RESERVED.contains(name)) {
                throw new IllegalArgumentException("extension name must not be a standard member, but was " + name);
            }
            extensions.put(name, value);
            return this;
        }

        /** Adds a response header sent with the problem ({@code Retry-After}, ...). */
        public Builder header(String name, String value) {
            headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** The problem. */
        public Problem build() {
            if (title == null) {
                title = ABOUT_BLANK.equals(type) ? reasonPhrase(status) : reasonPhrase(status);
            }
            return new Problem(this);
        }
    }
}
