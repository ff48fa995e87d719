package dev.chassis.core.http;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A handler's answer when it needs to choose the status or add headers:
 * {@code return Response.created(URI.create("/orders/" + id), order);}.
 *
 * <p>Immutable; {@link #header(String, String)} returns a copy.
 *
 * @param <T> the body type; the body is written as JSON, or nothing when {@code null}
 */
public final class Response<T> {
    private final int status;
    private final List<Map.Entry<String, String>> headers;
    private final T body;

    private Response(int status, List<Map.Entry<String, String>> headers, T body) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be between 100 and 599, but was " + status);
        }
        this.status = status;
        this.headers = List.copyOf(headers);
        this.body = body;
    }

    /** An answer with this status and body ({@code null} for none). */
    public static <T> Response<T> of(int status, T body) {
        return new Response<>(status, List.of(), body);
    }

    /** 200 with a body. */
    public static <T> Response<T> ok(T body) {
        return of(200, Objects.requireNonNull(body, "body"));
    }

    /** 201 with {@code Location} and a body. */
    public static <T> Response<T> created(URI location, T body) {
        return Response.<T>of(201, body).header("Location", location.toString());
    }

    /** 202 with a body ({@code null} for none). */
    public static <T> Response<T> accepted(T body) {
        return of(202, body);
    }

    /** 204. */
    public static <T> Response<T> noContent() {
        return of(204, null);
    }

    /** A copy with one more header. */
    public Response<T> header(String name, String value) {
        List<Map.Entry<String, String>> copy = new ArrayList<>(headers);
        copy.add(Map.entry(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value")));
        return new Response<>(status, copy, body);
    }

    /** The status. */
    public int status() {
        return status;
    }

    /** The headers, in order; a name may repeat. */
    public List<Map.Entry<String, String>> headers() {
        return headers;
    }

    /** The body, or {@code null}. */
    public T body() {
        return body;
    }

    @Override
    public String toString() {
        return "Response[" + status + ", headers=" + headers + ", body=" + body + "]";
    }
}
