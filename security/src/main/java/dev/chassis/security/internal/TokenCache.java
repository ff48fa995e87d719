package dev.chassis.security.internal;

import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verified tokens by their text, each until its {@code exp}: a token seen again costs a map look-up instead of a
 * signature check (a hash of the text first cost more than the look-up: measured with bench-auth.sh). Bounded: when
 * full, expired entries are dropped, and if none are, an arbitrary tenth of the entries. Only successes are kept. Thread-safe. Not API.
 */
final class TokenCache {
    private final int maxSize;
    private final Map<String, TokenVerifier.Result> entries = new ConcurrentHashMap<>();

    TokenCache(int maxSize) {
        this.maxSize = maxSize;
    }

    /** The remembered result, or null when none is, or when its token has expired by {@code now}. */
    TokenVerifier.Result get(String token, Instant now) {
        TokenVerifier.Result r = entries.get(token);
        if (r == null) {
            return null;
        }
        if (!now.isBefore(r.expires())) {
            entries.remove(token, r);
            return null;
        }
        return r;
    }

    void put(String token, TokenVerifier.Result result, Instant now) {
        if (entries.size() >= maxSize) {
            evict(now);
        }
        entries.put(token, result);
    }

    int size() {
        return entries.size();
    }

    private void evict(Instant now) {
        entries.values().removeIf(r -> !now.isBefore(r.expires()));
        int drop = entries.size() - maxSize + Math.max(1, maxSize / 10);
        for (Iterator<String> it = entries.keySet().iterator(); it.hasNext() && drop > 0; drop--) {
            it.next();
            it.remove();
        }
    }
}
