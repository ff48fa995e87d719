package dev.chassis.core.internal.http.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;

import dev.chassis.core.client.ClientException;
import dev.chassis.core.client.ClientTimeoutException;
import dev.chassis.core.client.RemoteProblemException;
import dev.chassis.core.client.UnreachableException;
import dev.chassis.core.client.UnreadableAnswerException;
import dev.chassis.core.http.Response;
import dev.chassis.core.internal.shared.Interrupter;
import dev.chassis.core.internal.telemetry.HttpClientTelemetry;
import dev.chassis.core.internal.tls.TlsFailures;
import dev.chassis.core.spi.Call;
import dev.chassis.core.spi.CallSite;
import dev.chassis.core.spi.Invocation;
import io.grpc.Context;
import io.grpc.Deadline;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import dev.chassis.core.internal.http.PathTemplate;

/**
 * One bound client method: turns arguments into a request, sends one attempt to one instance, and turns
 * the answer into the method's result or a {@link ClientException}. Built once per method. Not API.
 */
final class ClientMethod implements Invocation {
    /** How an argument contributes to the request. */
    interface Part {
        void apply(Object arg, RequestParts parts);
    }

    /** The mutable parts of one request being assembled. */
    static final class RequestParts {
        final StringBuilder query = new StringBuilder();
        final List<Map.Entry<HeaderName, String>> headers = new ArrayList<>(4);
        final Map<String, String> pathValues = new HashMap<>(4);
        byte[] body;
        String contentType;
    }

    enum Result { VOID, VALUE, OPTIONAL, RESPONSE }

    private final CallSite site;
    private final ClientTarget target;
    private final Method method;
    private final String[] pathSegments; // literal segments, or "{name}"
    private final Part[] parts;
    private final int idempotencyKeyIndex;
    private final Result result;
    private final ObjectReader reader; // null for VOID
    private final boolean head;
    private final String description;
    /** The largest answer body a client reads; a larger one is an {@link UnreadableAnswerException}. */
    static final int MAX_BODY = 16 * 1024 * 1024;

    ClientMethod(CallSite site, ClientTarget target, PathTemplate template, Part[] parts, int idempotencyKeyIndex,
                 Result result, ObjectReader reader) {
        this.site = site;
        this.target = target;
        this.method = Method.create(site.httpMethod());
        this.pathSegments = template.path().substring(1).split("/");
        this.parts = parts;
        this.idempotencyKeyIndex = idempotencyKeyIndex;
        this.result = result;
        this.reader = reader;
        this.head = site.httpMethod().equals("HEAD");
        this.description = site.httpMethod() + " " + site.target() + site.path();
    }

    CallSite site() {
        return site;
    }

    /**
     * Whether this call may be retried: idempotent method, or an Idempotency-Key argument with one non-blank value (an
     * empty list or a blank key sends no usable key: a server would run a retried POST twice).
     */
    boolean idempotent(Object[] args) {
        if (site.idempotentMethod()) {
            return true;
        }
        if (idempotencyKeyIndex < 0) {
            return false;
        }
        Object key = args[idempotencyKeyIndex];
        if (key instanceof Optional<?> o) {
            key = o.orElse(null);
        }
        if (key instanceof Collection<?> c) {
            key = c.size() == 1 ? c.iterator().next() : null;
        }
        return key != null && !String.valueOf(key).isBlank();
    }

    @Override
    public Object invoke(Call call) {
        call.startAttempt();
        RequestParts rp = new RequestParts();
        Object[] args = call.args();
        for (int i = 0; i < parts.length; i++) {
            parts[i].apply(args[i], rp);
        }
        String path = path(rp);
        Context context = Context.current();
        Deadline deadline = context.getDeadline();
        if (deadline != null && deadline.isExpired()) {
            // the handler's own deadline passed: do not start work nobody waits for
            throw ClientTimeoutException.ofCaller(site.target(), description + ": the caller's deadline has passed", null);
        }
        if (context.isCancelled()) {
            throw ClientTimeoutException.ofCaller(site.target(), description + ": the caller's call was cancelled", null);
        }
        ClientCall clientCall = ClientCall.of(call);
        URI base = target.pick(clientCall);
        boolean[] instanceFailed = {false};
        try {
            return attempt(clientCall, base, rp, path, context, deadline, instanceFailed);
        } finally {
            target.finished(base, instanceFailed[0]); // whatever happened after the pick, the attempt is reported
        }
    }

    /**
     * One attempt on the picked instance; sets {@code instanceFailed[0]} when the instance is to blame (a transport
     * failure or a 5xx; not the caller's own cancellation or deadline).
     */
    private Object attempt(Call call, URI base, RequestParts rp, String path, Context context,
                           Deadline deadline, boolean[] instanceFailed) {
        String uri = base.toString() + path + (rp.query.isEmpty() ? "" : "?" + rp.query);
        HttpClientRequest request = target.client().method(method).uri(URI.create(uri)).header(HeaderValues.ACCEPT_JSON);
        boolean callersDeadline = deadline != null && deadline.timeRemaining(TimeUnit.MILLISECONDS)
                < target.requestTimeout().toMillis();
        if (callersDeadline) {
            request.readTimeout(Duration.ofMillis(
                    Math.max(1, deadline.timeRemaining(TimeUnit.MILLISECONDS))));
        }
        for (Map.Entry<HeaderName, String> h : rp.headers) {
            request.header(h.getKey(), h.getValue());
        }
        call.headers().forEach((name, value) -> request.header(HeaderNames.create(name), value)); // replace: decorators'
        // Inside a gRPC handler: when the handler's call is cancelled, stop waiting for this answer too.
        Interrupter interrupter = new Interrupter(Thread.currentThread());
        Context.CancellationListener onCancel = cancelled -> interrupter.interrupt(1);
        boolean cancellable = context != Context.ROOT;
        if (cancellable) {
            context.addListener(onCancel, Runnable::run);
        }
        long started = System.nanoTime();
        HttpClientTelemetry.Attempt attempt = target.telemetry().start(site.httpMethod(), site.path(), base, path, request);
        int status = 0;
        RuntimeException failure = null;
        boolean callersFault = false;
        try (HttpClientResponse response = rp.body == null ? request.request()
                : request.header(HeaderNames.CONTENT_TYPE, rp.contentType).submit(rp.body)) {
            status = response.status().code();
            byte[] body = head ? new byte[0] : readBody(response, started, callersDeadline ? deadline : null);
            String contentType = response.headers().contentType().map(t -> t.mediaType().text()).orElse("");
            return decode(status, body, contentType, response);
        } catch (ClientException e) {
            failure = status > 0 && e instanceof RemoteProblemException ? null : e; // the status tells already
            throw e;
        } catch (RuntimeException e) {
            if (cancellable && context.isCancelled()) {
                callersFault = true;
                failure = ClientTimeoutException.ofCaller(site.target(), description + ": the caller's call was cancelled",
                        e);
                throw failure;
            }
            failure = transportFailure(description, e);
            callersFault = callersDeadline && failure instanceof ClientTimeoutException; // the caller's deadline ran out
            if (callersFault) {
                failure = ClientTimeoutException.ofCaller(site.target(), description + ": the caller's deadline ran out"
                        + " before the answer came", e);
            }
            throw failure;
        } finally {
            instanceFailed[0] = status >= 500 || (status == 0 && failure != null && !callersFault);
            if (attempt != null) {
                attempt.end(status, failure);
            }
            if (cancellable) {
                context.removeListener(onCancel);
                // the interrupt was ours, to abandon the call: it must not outlive it, even when the listener runs
                // late (gRPC runs a context's listeners one after another, on the thread that cancelled it)
                interrupter.disarm();
            }
        }
    }

    /**
     * The answer's body, read within the request timeout from the attempt's start (and the caller's deadline, when
     * that comes first): the read timeout bounds each read only, and a target sending a byte now and then held the
     * call for as long as it liked.
     */
    private byte[] readBody(HttpClientResponse response, long started, Deadline callers) {
        if (!response.entity().hasEntity()) {
            return new byte[0];
        }
        long timeoutNanos = target.requestTimeout().toNanos();
        try (InputStream in = response.inputStream()) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                body.write(buffer, 0, n);
                if (body.size() > MAX_BODY) {
                    throw new UnreadableAnswerException(site.target(), description + " answered more than " + MAX_BODY
                            + " bytes", null);
                }
                if (callers != null && callers.isExpired()) {
                    throw ClientTimeoutException.ofCaller(site.target(), description + ": the caller's deadline ran out"
                            + " while the answer came", null);
                }
                if (System.nanoTime() - started > timeoutNanos) {
                    throw new ClientTimeoutException(site.target(), description + ": the answer did not arrive within "
                            + target.requestTimeout().toMillis() + " ms", null);
                }
            }
            return body.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Object decode(int status, byte[] body, String contentType, HttpClientResponse response) {
        boolean ok = status >= 200 && status < 300;
        if (result == Result.OPTIONAL && status == 404) {
            return Optional.empty();
        }
        if (status < 200 || (status >= 300 && status < 400)) {
            throw new UnreadableAnswerException(site.target(), description + " answered " + status
                    + ", which a client does not follow", null);
        }
        if (!ok) {
            throw new RemoteProblemException(site.target(), description, RemoteProblems.read(status, body, contentType));
        }
        switch (result) {
            case VOID:
                return null;
            case OPTIONAL:
                return Optional.ofNullable(read(body));
            case RESPONSE:
                Response<Object> r = Response.of(status, body.length == 0 ? null : read(body));
                for (Header h : response.headers()) {
                    for (String v : h.allValues()) {
                        r = r.header(h.name(), v);
                    }
                }
                return r;
            default:
                return body.length == 0 ? null : read(body);
        }
    }

    private Object read(byte[] body) {
        try {
            return reader.readValue(body);
        } catch (IOException e) {
            throw new UnreadableAnswerException(site.target(), "the answer of " + description + " could not be read as "
                    + reader.getValueType(), e);
        }
    }

    private String path(RequestParts rp) {
        StringBuilder sb = new StringBuilder();
        for (String s : pathSegments) {
            if (s.isEmpty()) {
                continue;
            }
            sb.append('/');
            if (s.startsWith("{")) {
                sb.append(encode(rp.pathValues.get(s.substring(1, s.length() - 1))));
            } else {
                sb.append(s);
            }
        }
        return sb.toString();
    }

    private ClientException transportFailure(String description, RuntimeException e) {
        if (e.getCause() instanceof ClientException ce) {
            return ce;
        }
        String tls = TlsFailures.reason(e);
        if (tls != null) {
            // the handshake failed: nothing was sent, so another instance may be tried
            return new UnreachableException(site.target(), description + ": TLS handshake failed: " + tls, e, true);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            boolean connectTimeout = t instanceof SocketTimeoutException && t.getMessage() != null
                    && t.getMessage().toLowerCase(Locale.ROOT).contains("connect");
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException
                    || connectTimeout) {
                return new UnreachableException(site.target(), description + ": cannot connect", e, true);
            }
            if (t instanceof SocketTimeoutException || t instanceof InterruptedIOException
                    || t instanceof TimeoutException) {
                return new ClientTimeoutException(site.target(), description + ": no answer in time", e);
            }
        }
        boolean io = e instanceof UncheckedIOException;
        return new UnreachableException(site.target(), description + ": " + (io ? "connection failed" : e.getMessage()), e,
                false);
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static void writeJson(ObjectWriter writer, Object value, RequestParts rp) {
        try {
            rp.body = writer.writeValueAsBytes(value);
            rp.contentType = "application/json";
        } catch (IOException e) {
            throw new IllegalArgumentException("the request body cannot be written as JSON: " + e.getMessage(), e);
        }
    }
}
