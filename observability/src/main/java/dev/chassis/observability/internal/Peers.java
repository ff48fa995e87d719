package dev.chassis.observability.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chassis.core.spi.TargetResolver;

/**
 * The other services the console asks: found by name through the service's own resolution (discovery, then
 * {@code clients.<name>.url}), asked over plain HTTP on their port or {@code observability.console.peer-port}, every
 * instance at once; the whole round ends within the peer timeout (a peer that sends its answer slowly is cut off, and
 * named as not reached), and an answer is read up to {@link #MAX_BODY} bytes. Only names a service could have are
 * asked (peers report names: a lookup or a discovery watch is never started for anything else), at most
 * {@link #MAX_NAMES} of them over the service's life, each lookup within the peer timeout. Nothing runs until the
 * console asks. Not API.
 */
final class Peers {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The largest answer read from a peer. */
    static final int MAX_BODY = 4 * 1024 * 1024;
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?");
    /**
     * The most names the console looks up over the service's life: a lookup starts a discovery watch that is kept, and
     * peers' answers name services, so a peer must not make this service watch names without end.
     */
    static final int MAX_NAMES = 256;

    private final TargetResolver resolver;
    private final Integer port;
    private final Duration timeout;
    /** The names looked up so far (at most {@link #MAX_NAMES}). */
    private final Set<String> looked = ConcurrentHashMap.newKeySet();

    Peers(TargetResolver resolver, Integer port, Duration timeout) {
        this.resolver = resolver;
        this.port = port;
        this.timeout = timeout;
    }

    /** One instance's answer: its status and JSON body, or why it could not be asked ({@code problem}). */
    record Answer(String service, URI uri, int status, JsonNode body, String problem) {
    }

    /** A service, or one of its instances, the console could not reach, and why. */
    record Unreached(String service, String uri, String reason) {
    }

    /**
     * Asks every instance of every service for {@code path}, all at once; waits at most about twice the timeout (the
     * lookups, then the requests).
     */
    List<Answer> ask(Collection<String> services, String path) {
        List<Answer> answers = new ArrayList<>();
        List<CompletableFuture<Answer>> pending = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
             HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).executor(threads).build()) {
            Map<String, Future<Optional<List<URI>>>> lookups = new LinkedHashMap<>();
            for (String service : services) {
                if (!NAME.matcher(service).matches()) {
                    answers.add(new Answer(service, null, 0, null, "not a service name"));
                } else if (!looked.contains(service) && looked.size() >= MAX_NAMES) {
                    answers.add(new Answer(service, null, 0, null, "not looked up: the console has looked up "
                            + MAX_NAMES + " names already (peers name services; each lookup is kept)"));
                } else {
                    looked.add(service);
                    lookups.put(service, threads.submit(() -> resolver.resolve(service)));
                }
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            for (Map.Entry<String, Future<Optional<List<URI>>>> lookup : lookups.entrySet()) {
                String service = lookup.getKey();
                Optional<List<URI>> found;
                try {
                    found = lookup.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    answers.add(new Answer(service, null, 0, null, "discovery did not answer within "
                            + timeout.toMillis() + " ms"));
                    continue;
                } catch (ExecutionException e) {
                    answers.add(new Answer(service, null, 0, null, "discovery failed: " + e.getCause().getMessage()));
                    continue;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    answers.add(new Answer(service, null, 0, null, "interrupted"));
                    continue;
                }
                List<URI> instances = found.orElse(List.of());
                if (instances.isEmpty()) {
                    answers.add(new Answer(service, null, 0, null, found.isEmpty()
                            ? "unknown: neither discovery nor clients." + service + ".url names it"
                            : "no instance now: discovery knows the name but lists no instance"));
                }
                for (URI instance : instances) {
                    URI uri = target(instance, path);
                    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
                            .header("Accept", "application/json").GET().build();
                    pending.add(client.sendAsync(request, Peers::bounded)
                            .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS) // headers and the whole body
                            .handle((response, failure) -> answer(service, uri, response, failure)));
                }
            }
            pending.forEach(p -> answers.add(p.join()));
            client.shutdownNow(); // a peer still sending after its timeout is not waited for
            threads.shutdownNow(); // a lookup still waiting for discovery is not waited for
        }
        return answers;
    }

    /** The body as text, or null once it passes {@link #MAX_BODY} bytes (the rest is not read). */
    private static HttpResponse.BodySubscriber<String> bounded(HttpResponse.ResponseInfo info) {
        long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (declared > MAX_BODY) {
            return HttpResponse.BodySubscribers.replacing(null);
        }
        return new Bounded();
    }

    /**
     * Collects a body up to {@link #MAX_BODY} bytes; past that it completes with null before it cancels the rest,
     * so the answer is "too large" whatever the connection does next (closing an early-abandoned input stream
     * instead made the JDK's client fail the whole response, now and then, with an I/O error).
     */
    private static final class Bounded implements HttpResponse.BodySubscriber<String> {
        private final CompletableFuture<String> body = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        @Override
        public CompletionStage<String> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if (bytes.size() + b.remaining() > MAX_BODY) {
                    body.complete(null);
                    subscription.cancel();
                    return;
                }
                byte[] part = new byte[b.remaining()];
                b.get(part);
                bytes.write(part, 0, part.length);
            }
        }

        @Override
        public void onError(Throwable failure) {
            body.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toString(StandardCharsets.UTF_8));
        }
    }

    private URI target(URI instance, String path) {
        return URI.create("http://" + instance.getHost() + ":" + Optional.ofNullable(port).orElse(instance.getPort())
                + path);
    }

    private Answer answer(String service, URI uri, HttpResponse<String> response, Throwable failure) {
        if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                    : failure;
            String why = cause instanceof HttpTimeoutException || cause instanceof TimeoutException
                    ? "no answer within " + timeout.toMillis() + " ms"
                    : cause instanceof ConnectException ? "connection refused"
                    : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
            return new Answer(service, uri, 0, null, why);
        }
        if (response.body() == null) {
            return new Answer(service, uri, response.statusCode(), null, "answered more than " + MAX_BODY + " bytes");
        }
        try {
            JsonNode body = response.body().isEmpty() ? null : JSON.readTree(response.body());
            return new Answer(service, uri, response.statusCode(), body, null);
        } catch (IOException e) {
            return new Answer(service, uri, response.statusCode(), null, "answered " + response.statusCode()
                    + " with a body that is not JSON");
        }
    }
}
