package dev.chassis.security.client.internal;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chassis.core.Json;
import dev.chassis.security.client.TokenUnavailableException;
import dev.chassis.security.internal.LazyHttpClient;
import dev.chassis.security.internal.SecureUrls;

/**
 * The client-credentials token of one target: fetched from the token endpoint (RFC 6749 §4.4, the client
 * authenticated with HTTP Basic), kept until {@code refresh-margin} before it expires, and fetched by one caller at a
 * time — however many calls find it missing or stale at once, one request goes out and all of them wait for its
 * answer (a failure too: each of them fails with it, and the next call tries again). Thread-safe. Not API.
 */
final class TokenSource {
    /** How long a token whose answer gives no {@code expires_in} is used. */
    static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(1);

    private final String target;
    private final ClientCredentialsConfig config;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final LazyHttpClient http;
    private volatile Token current;
    private volatile URI tokenUrl; // discovered once, when not configured
    private CompletableFuture<Token> inFlight; // guarded by lock

    private record Token(String value, Instant refreshAt) {
    }

    TokenSource(String target, ClientCredentialsConfig config, Clock clock) {
        this.target = target;
        this.config = config;
        this.clock = clock;
        this.tokenUrl = config.tokenUrl();
        this.http = new LazyHttpClient(config.timeout());
    }

    /** A token valid for a while yet: the cached one, or a fresh one. */
    String token() {
        Token t = current;
        if (t != null && clock.instant().isBefore(t.refreshAt())) {
            return t.value();
        }
        return fetch(t);
    }

    /**
     * The target refused {@code rejected} (401): forget it, unless another call replaced it already, and return the
     * token to retry with — one refresh for all the calls the same token failed.
     */
    String refreshAfterRejection(String rejected) {
        forget(rejected);
        return token();
    }

    /** The target refused {@code rejected}: forget it, unless another call replaced it already. */
    void forget(String rejected) {
        lock.lock();
        try {
            Token t = current;
            if (t != null && t.value().equals(rejected)) {
                current = null;
            }
        } finally {
            lock.unlock();
        }
    }

    private String fetch(Token stale) {
        CompletableFuture<Token> flight;
        boolean mine = false;
        lock.lock();
        try {
            Token t = current;
            if (t != stale && t != null && clock.instant().isBefore(t.refreshAt())) {
                return t.value(); // another call fetched it meanwhile
            }
            if (inFlight == null) {
                inFlight = new CompletableFuture<>();
                mine = true;
            }
            flight = inFlight;
        } finally {
            lock.unlock();
        }
        if (mine) {
            try {
                Token fresh = request();
                current = fresh;
                flight.complete(fresh);
            } catch (RuntimeException e) {
                flight.completeExceptionally(e);
            } finally {
                lock.lock();
                try {
                    inFlight = null;
                } finally {
                    lock.unlock();
                }
            }
        }
        try {
            return flight.join().value();
        } catch (CompletionException e) {
            if (e.getCause() instanceof TokenUnavailableException t) {
                throw new TokenUnavailableException(target, t.getMessage(), t.getCause()); // this caller's stack
            }
            throw e;
        }
    }

    private Token request() {
        URI url = tokenUrl();
        StringBuilder form = new StringBuilder("grant_type=client_credentials");
        if (config.scope() != null) {
            form.append("&scope=").append(encode(config.scope()));
        }
        if (config.audience() != null) {
            form.append("&audience=").append(encode(config.audience()));
        }
        String basic = Base64.getEncoder().encodeToString((encode(config.clientId()) + ":" + encode(config.clientSecret()))
                .getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(url).timeout(config.timeout())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .header("Authorization", "Basic " + basic)
                .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build();
        Instant asked = clock.instant();
        JsonNode answer = send(request, url, "the token endpoint");
        JsonNode accessToken = answer.get("access_token");
        if (accessToken == null || !accessToken.isTextual() || accessToken.asText().isEmpty()) {
            throw unavailable("the token endpoint " + url + " answered without an access_token", null);
        }
        JsonNode expiresIn = answer.get("expires_in");
        Duration lifetime = expiresIn != null && expiresIn.canConvertToLong() && expiresIn.asLong() > 0
                ? Duration.ofSeconds(expiresIn.asLong()) : DEFAULT_LIFETIME;
        Duration margin = config.refreshMargin();
        Duration use = lifetime.compareTo(margin.multipliedBy(2)) > 0 ? lifetime.minus(margin) : lifetime.dividedBy(2);
        return new Token(accessToken.asText(), asked.plus(use));
    }

    private URI tokenUrl() {
        URI url = tokenUrl;
        if (url != null) {
            return url;
        }
        URI discovery = URI.create(config.issuer().replaceAll("/+$", "") + "/.well-known/openid-configuration");
        JsonNode document = send(HttpRequest.newBuilder(discovery).timeout(config.timeout())
                .header("Accept", "application/json").GET().build(), discovery, "the issuer's discovery document");
        JsonNode endpoint = document.get("token_endpoint");
        if (endpoint == null || !endpoint.isTextual()) {
            throw unavailable("the discovery document " + discovery + " names no token_endpoint", null);
        }
        try {
            url = URI.create(endpoint.asText());
        } catch (IllegalArgumentException e) {
            throw unavailable("the discovery document " + discovery + " names an invalid token_endpoint", null);
        }
        if (!SecureUrls.allowed(url, config.insecureHttp())) {
            throw unavailable("the discovery document " + discovery + " names a token_endpoint that is refused: "
                    + SecureUrls.why("the token endpoint", url), null);
        }
        tokenUrl = url;
        return url;
    }

    /** Sends a request to the issuer and reads its JSON answer; every failure names the URL and never the secret. */
    private JsonNode send(HttpRequest request, URI url, String what) {
        HttpClient client;
        try {
            client = http.get();
        } catch (IllegalStateException e) {
            throw unavailable(e.getMessage(), e);
        }
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw unavailable(what + " " + url + " did not answer within " + config.timeout(), e);
        } catch (IOException e) {
            throw unavailable(what + " " + url + " cannot be reached: " + e.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while asking " + what + " " + url, e);
        }
        JsonNode body;
        try {
            body = Json.mapper().readTree(response.body());
        } catch (IOException e) {
            body = null;
        }
        if (response.statusCode() != 200) {
            JsonNode error = body == null ? null : body.get("error");
            throw unavailable(what + " " + url + " answered " + response.statusCode()
                    + (error != null && error.isTextual() ? " (" + error.asText() + ")" : ""), null);
        }
        if (body == null || !body.isObject()) {
            throw unavailable(what + " " + url + " answered something other than a JSON object", null);
        }
        return body;
    }

    private TokenUnavailableException unavailable(String message, Throwable cause) {
        return new TokenUnavailableException(target, "no client-credentials token for " + target + ": " + message, cause);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
