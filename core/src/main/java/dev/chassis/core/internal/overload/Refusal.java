package dev.chassis.core.internal.overload;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import dev.chassis.core.Problem;
import dev.chassis.core.internal.http.Problems;
import dev.chassis.core.internal.http.TraceIds;
import dev.chassis.core.internal.transport.Origins;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The answer to a refused HTTP request: 503, {@code Retry-After} and the same problem+json body
 * {@link Problems#send} would write for it ({@code type}, {@code title}, {@code status}, {@code detail}, then the
 * request's {@code instance} and {@code traceId}), but with the fixed part serialised once: under overload most
 * requests are refusals, and each costs the CPU the served ones need. The connection stays open (HTTP/1.1
 * keep-alive; Helidon discards a body the request did not read), so a client that is refused sends its next request
 * on the same connection instead of opening another. Thread-safe. Not API.
 */
final class Refusal {
    /** The problem type of a refused request. */
    static final String TYPE = "https://chassis.dev/problems/overloaded";
    /** The problem's title. */
    static final String TITLE = "Overloaded";
    /** The problem's detail. */
    static final String DETAIL = "the service is at its concurrency limit; retry shortly, or call another instance";

    /** Characters a URI's path may hold as they are, besides letters and digits. */
    private static final String PLAIN = "/-._~!$&'()*+,;=:@";
    private static final byte[] INSTANCE = ",\"instance\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRACE_ID = ",\"traceId\":\"".getBytes(StandardCharsets.US_ASCII);

    private final byte[] head;
    private final Header retryAfter;

    /** @param retryAfterSeconds the {@code Retry-After} header's value */
    Refusal(String retryAfterSeconds) {
        byte[] whole = Problems.toJson(problem(retryAfterSeconds), null, null);
        this.head = Arrays.copyOf(whole, whole.length - 1); // without the closing brace
        this.retryAfter = HeaderValues.create(HeaderNames.RETRY_AFTER, retryAfterSeconds);
    }

    /** The refusal as a {@link Problem}, for gRPC descriptions and tests. */
    static Problem problem(String retryAfterSeconds) {
        return Problem.builder(503).type(URI.create(TYPE)).title(TITLE).detail(DETAIL)
                .header("Retry-After", retryAfterSeconds).build();
    }

    /** Answers the request with the refusal. */
    void send(ServerRequest req, ServerResponse res) {
        res.status(Status.SERVICE_UNAVAILABLE_503);
        res.header(retryAfter);
        res.header(Problems.CONTENT_TYPE);
        res.send(body(instance(req), TraceIds.of(req)));
    }

    /** The body for this instance (null: none) and trace id (null: none). */
    byte[] body(String instance, String traceId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length + 96);
        out.writeBytes(head);
        if (instance != null) {
            out.writeBytes(INSTANCE);
            out.writeBytes(JsonStringEncoder.getInstance().quoteAsUTF8(instance));
            out.write('"');
        }
        if (traceId != null) {
            out.writeBytes(TRACE_ID);
            out.writeBytes(JsonStringEncoder.getInstance().quoteAsUTF8(traceId));
            out.write('"');
        }
        out.write('}');
        return out.toByteArray();
    }

    /** What {@link Problems#send} uses as the instance: the path behind a trusted proxy's prefix, when a URI. */
    static String instance(ServerRequest req) {
        return validUri(Origins.of(req).prefix() + req.path().rawPath());
    }

    /** The text when it is a URI reference, else null; a path of only unreserved and sub-delimiting characters is. */
    static String validUri(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || PLAIN.indexOf(c) >= 0)) {
                try {
                    URI.create(text); // a %-escape, or a character a URI cannot hold: the parser decides
                    return text;
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return text;
    }
}
