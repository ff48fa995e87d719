package dev.chassis.core.internal.http.server;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import dev.chassis.core.Problem;
import dev.chassis.core.internal.transport.HangUps;
import dev.chassis.core.internal.shared.Backoff;
import dev.chassis.core.spi.IdempotencyStore;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import dev.chassis.core.internal.http.Statuses;

/**
 * {@code Idempotency-Key} on POST and PATCH (STANDARD §2): the first request with a key runs and its answer is
 * kept; the same request again gets that answer (with {@code Idempotent-Replayed: true}) without running; another
 * request with the key gets 422; while the first runs, a repeat waits for its answer, then gets 409. Answers with
 * 5xx or 429 are not kept, so that a retry runs again. The fingerprint of a request is SHA-256 over its method,
 * path, query and body; keys are scoped to the caller (see {@link #scoped}). Not API.
 */
public final class IdempotentRequests {
    private static final System.Logger LOG = System.getLogger(IdempotentRequests.class.getName());
    static final HeaderName KEY = HeaderNames.create("Idempotency-Key");
    static final Header REPLAYED = HeaderValues.create(HeaderNames.create("Idempotent-Replayed"), "true");
    private static final int MAX_KEY = 255;
    /** How often a repeat looks again whether the first request with its key has answered: 5 ms doubling to 200 ms. */
    private static final Backoff IN_PROGRESS_WAIT = Backoff.exponential(Duration.ofMillis(5), Duration.ofMillis(200));
    /** Not part of an answer: they describe one transfer, and Helidon writes them itself. */
    private static final Set<String> NOT_KEPT = Set.of("content-length", "transfer-encoding", "connection", "date",
            "keep-alive", "content-encoding", "set-cookie");
    /** Renews the leases of requests that run long; one daemon thread for every service of the JVM. */
    private static final ScheduledExecutorService RENEWALS =
            Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "chassis-idempotency-renewal");
                t.setDaemon(true);
                return t;
            });

    /** Runs the request's handler with its body already read. */
    @FunctionalInterface
    interface Run {
        void run(byte[] body) throws Exception;
    }

    /** How a caller-scoped key begins: 12 bytes of the scope's SHA-256, then a colon ({@link #scoped}). */
    private static final Pattern SCOPED = Pattern.compile("[0-9a-f]{24}:");

    /** Reading in steps of this many bytes when the length is not declared; also the budget's unit. */
    private static final int STEP = 64 * 1024;

    private final IdempotencyStore store;
    /** Request bodies held in memory, in {@link #STEP} units: bounded, so that many large keyed requests cannot OOM. */
    private final Semaphore buffered;
    private final long maxAnswer;
    private final long maxBody;

    /**
     * @param store       where answers are kept
     * @param bufferBytes how many bytes of keyed request bodies may be held in memory at once
     * @param maxAnswer   the largest answer kept; larger ones are sent but not kept
     * @param maxBody     {@code server.max-body-size}: a larger declared length is refused before anything is held
     */
    public IdempotentRequests(IdempotencyStore store, long bufferBytes, long maxAnswer, long maxBody) {
        this.store = store;
        this.buffered = new Semaphore(Math.toIntExact(Math.max(1, Math.min(Integer.MAX_VALUE, bufferBytes / STEP))));
        this.maxAnswer = maxAnswer;
        this.maxBody = maxBody;
    }

    /** Whether the request carries a key: only then is it handled here. */
    static boolean carriesKey(ServerRequest req) {
        return req.headers().contains(KEY);
    }

    void handle(ServerRequest req, ServerResponse res, Run run) throws Exception {
        String key = scoped(req, key(req));
        Held held = new Held();
        try {
            handle(req, res, run, key, read(req, held));
        } finally {
            buffered.release(held.units);
        }
    }

    /** The budget units a request holds while its body is in memory. */
    private static final class Held {
        int units;
    }

    /**
     * The whole body, read into one array of its declared length (or grown in steps when it has none), within the
     * memory budget: a request whose body does not fit now gets 503 — before any of it is read when its length is
     * declared.
     */
    private byte[] read(ServerRequest req, Held held) throws IOException {
        try {
            return readBody(req, held);
        } catch (RuntimeException e) {
            throw HangUps.whileReadingBody(req, e); // a client that hung up while its body was read: a 400
        }
    }

    private byte[] readBody(ServerRequest req, Held held) throws IOException {
        if (!req.content().hasEntity()) {
            return new byte[0];
        }
        OptionalLong declared = req.headers().contentLength();
        InputStream in = req.content().inputStream();
        if (declared.isPresent()) {
            // Helidon bounds a declared length by server.max-body-size on HTTP/1.1 only, not on HTTP/2 streams
            if (declared.getAsLong() > maxBody) {
                throw Problem.builder(413).detail("the request body is larger than the server accepts").build();
            }
            if (declared.getAsLong() > Integer.MAX_VALUE - 8) {
                throw Problem.builder(413).detail("a request body with an Idempotency-Key is at most 2 GiB").build();
            }
            int length = (int) declared.getAsLong();
            reserve(held, units(length));
            byte[] body = new byte[length];
            int read = in.readNBytes(body, 0, length);
            if (read != length) {
                throw Problem.builder(400).detail("the request body ended after " + read + " of its " + length
                        + " declared bytes").build();
            }
            return body;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] step = new byte[STEP];
        int n;
        while ((n = in.readNBytes(step, 0, STEP)) > 0) {
            reserve(held, 1);
            body.write(step, 0, n);
        }
        return body.toByteArray();
    }

    private static int units(long bytes) {
        return Math.toIntExact((bytes + STEP - 1) / STEP);
    }

    private void reserve(Held held, int units) {
        if (units > 0 && !buffered.tryAcquire(units)) {
            throw Problem.builder(503).detail("too many large requests with an Idempotency-Key are in progress;"
                    + " retry shortly").header("Retry-After", "1").build();
        }
        held.units += units;
    }

    private void handle(ServerRequest req, ServerResponse res, Run run, String key, byte[] body) throws Exception {
        String fingerprint = fingerprint(req, body);
        long deadline = System.nanoTime() + store.waitForInProgress().toNanos();
        int waits = 0;
        while (true) {
            IdempotencyStore.Claim claim;
            try {
                claim = store.claim(key, fingerprint);
            } catch (Exception e) {
                LOG.log(Level.WARNING, "the Idempotency-Key store failed; answering 503", e);
                throw Problem.builder(503).detail("requests with an Idempotency-Key cannot be handled now: their store"
                        + " is unavailable").header("Retry-After", "1").build();
            }
            switch (claim) {
                case IdempotencyStore.Claimed c -> {
                    runClaimed(key, c.token(), res, () -> run.run(body));
                    return;
                }
                case IdempotencyStore.Replay r -> {
                    replay(res, r.answer());
                    return;
                }
                case IdempotencyStore.Mismatch m -> throw Problem.builder(422)
                        .detail("this Idempotency-Key was used for a different request (another method, path or body);"
                                + " use a new key for a new request")
                        .error("Idempotency-Key", "was used for a different request").build();
                case IdempotencyStore.InProgress p -> {
                    if (System.nanoTime() > deadline) {
                        throw Problem.builder(409).detail("a request with this Idempotency-Key is still in progress;"
                                + " retry later to get its answer").header("Retry-After", "1").build();
                    }
                    Thread.sleep(IN_PROGRESS_WAIT.delay(++waits));
                }
            }
        }
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    /**
     * Runs the request with its claim renewed, keeping a copy of what is sent; the answer is stored as the response
     * stream closes — before the client may have it, so a client that went away cannot make it run twice — or, for
     * an answer without a stream, once sent.
     */
    private void runClaimed(String key, String token, ServerResponse res, Body body) throws Exception {
        long every = Math.max(1, store.lease().toMillis() / 3);
        ScheduledFuture<?> renewal = RENEWALS.scheduleAtFixedRate(() -> {
            try {
                store.renew(key, token);
            } catch (Exception e) {
                LOG.log(Level.WARNING, "the lease of a request with an Idempotency-Key could not be renewed", e);
            }
        }, every, every, TimeUnit.MILLISECONDS);
        AtomicBoolean finished = new AtomicBoolean();
        Capture capture = new Capture(maxAnswer);
        Runnable finish = () -> {
            if (finished.compareAndSet(false, true)) {
                renewal.cancel(false);
                finish(key, token, res, capture);
            }
        };
        res.streamFilter(out -> capture.wrap(out, finish));
        res.whenSent(finish);
        try {
            body.run(); // when it throws, the error handler answers, and that answer is stored or released
        } catch (Exception | Error e) {
            if (res.isSent()) {
                finish.run();
            }
            throw e;
        }
    }

    private void finish(String key, String token, ServerResponse res, Capture capture) {
        int status = res.status().code();
        try {
            if (status >= 500 || status == 429) {
                store.release(key, token);
                return;
            }
            if (capture.overflowed()) {
                LOG.log(Level.DEBUG, () -> "an answer larger than server.idempotency.max-answer-size (" + maxAnswer
                        + " bytes) is not kept; a retry with its Idempotency-Key runs the request again");
                store.release(key, token);
                return;
            }
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (Header h : res.headers()) {
                if (!NOT_KEPT.contains(h.name().toLowerCase(Locale.ROOT))) {
                    headers.computeIfAbsent(h.name(), n -> new ArrayList<>()).addAll(h.allValues());
                }
            }
            store.complete(key, token, new IdempotencyStore.Answer(status, headers, capture.bytes()));
        } catch (Exception e) {
            // a retry within the lease waits and gets 409; after it, the request runs again
            LOG.log(Level.WARNING, "the answer to a request with an Idempotency-Key could not be stored", e);
        }
    }

    private static void replay(ServerResponse res, IdempotencyStore.Answer answer) {
        res.status(Statuses.of(answer.status()));
        answer.headers().forEach((name, values) -> res.header(HeaderValues.create(HeaderNames.create(name),
                values.toArray(String[]::new))));
        res.header(REPLAYED);
        if (answer.body().length == 0) {
            res.send();
        } else {
            res.send(answer.body());
        }
    }

    /** The key: one header, 1 to 255 visible ASCII characters; an IETF-style quoted string is unquoted. */
    static String key(ServerRequest req) {
        List<String> values = req.headers().all(KEY, List::of);
        if (values.size() != 1) {
            throw Problem.builder(400).detail("a request carries one Idempotency-Key header; this one has " + values.size())
                    .error("Idempotency-Key", "must be sent once").build();
        }
        String key = values.get(0).strip();
        if (key.length() >= 2 && key.startsWith("\"") && key.endsWith("\"")) {
            key = key.substring(1, key.length() - 1);
        }
        if (key.isEmpty() || key.length() > MAX_KEY || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw Problem.builder(400).detail("the Idempotency-Key must be 1 to " + MAX_KEY + " visible ASCII characters,"
                    + " e.g. a UUID").error("Idempotency-Key", "must be 1 to " + MAX_KEY + " visible ASCII characters")
                    .build();
        }
        return key;
    }

    /**
     * The key as stored, scoped to the caller so that one caller's key never answers another's request: to the
     * verified principal (issuer, subject and client of the bearer token, or the mutual-TLS workload identity) when
     * there is one; else, when the request carries an Authorization header nothing verified, to a hash of that
     * header; else unscoped.
     */
    static String scoped(ServerRequest req, String key) {
        String scope = Callers.of(req).principal().map(p -> "principal\n" + p).orElse(null);
        if (scope == null) {
            List<String> auth = req.headers().all(HeaderNames.AUTHORIZATION, List::of);
            if (auth.isEmpty()) {
                if (SCOPED.matcher(key).lookingAt()) {
                    // stored as it is, it would be another caller's scoped key: their answer replayed to this caller
                    throw Problem.builder(400).detail("an Idempotency-Key of a request without credentials may not"
                            + " begin with 24 hexadecimal digits and a colon; use e.g. a UUID")
                            .error("Idempotency-Key", "must not begin with 24 hexadecimal digits and a colon").build();
                }
                return key;
            }
            scope = "authorization\n" + String.join("\n", auth);
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(scope.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12) + ":" + key;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    static String fingerprint(ServerRequest req, byte[] body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(req.prologue().method().text().getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) ' ');
            sha.update(req.prologue().uriPath().rawPath().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '?');
            sha.update(req.prologue().query().rawValue().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
            sha.update(body);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Keeps a copy of what is written, up to a limit (beyond it the copy is dropped and the answer is not kept); a new
     * output stream (after an error handler reset) starts over.
     */
    private static final class Capture {
        private final long limit;
        private volatile Copy copy = new Copy();

        Capture(long limit) {
            this.limit = limit;
        }

        /** One output stream's copy; {@code bytes} is null once it went over the limit. */
        private static final class Copy {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();

            void add(byte[] b, int off, int len, long limit) {
                if (bytes != null && bytes.size() + (long) len > limit) {
                    bytes = null;
                } else if (bytes != null) {
                    bytes.write(b, off, len);
                }
            }
        }

        OutputStream wrap(OutputStream out, Runnable beforeClose) {
            Copy fresh = new Copy();
            copy = fresh;
            return new FilterOutputStream(out) {
                @Override
                public void write(int b) throws IOException {
                    fresh.add(new byte[] {(byte) b}, 0, 1, limit);
                    out.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    fresh.add(b, off, len, limit);
                    out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    beforeClose.run();
                    super.close();
                }
            };
        }

        boolean overflowed() {
            return copy.bytes == null;
        }

        byte[] bytes() {
            ByteArrayOutputStream bytes = copy.bytes;
            return bytes == null ? new byte[0] : bytes.toByteArray();
        }
    }
}
