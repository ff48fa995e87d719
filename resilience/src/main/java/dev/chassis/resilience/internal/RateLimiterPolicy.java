package dev.chassis.resilience.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.chassis.core.Caller;
import dev.chassis.core.Problem;
import dev.chassis.core.http.BindingException;
import dev.chassis.core.spi.Call;
import dev.chassis.core.spi.CallSite;
import dev.chassis.core.spi.Invocation;
import dev.chassis.resilience.CallRejectedException;
import dev.chassis.resilience.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;

/**
 * Allows at most a number of calls per period (Resilience4j rate limiter); a refused handler call answers 429
 * with {@code Retry-After}, a refused client call throws {@link CallRejectedException}. One per client target,
 * one per handler method — or, on a handler with {@code per} set, one per client ({@link KeyedRateLimiter}).
 * Not API.
 */
final class RateLimiterPolicy {
    private RateLimiterPolicy() {
    }

    /** {@code inner} behind a rate limiter when annotated or configured, else {@code inner} itself. */
    static Invocation apply(PolicySupport support, CallSite site, Policy p, Invocation inner) {
        String pre = p.prefix();
        RateLimiter rl = PolicySupport.sharedAnnotation(site, p, RateLimiter.class).orElse(null);
        if (!PolicySupport.enabled(p, rl != null, "rate-limiter", PolicySettings.limiterEnabled(pre))) {
            return inner;
        }
        Duration period = p.value(PolicySettings.period(pre), rl == null ? null : rl.period());
        int limit = p.value(PolicySettings.limit(pre), rl == null ? null : rl.limit());
        Duration timeout = p.value(PolicySettings.limiterTimeout(pre), rl == null ? null : rl.timeout());
        boolean client = site.kind() == CallSite.Kind.CLIENT;
        RateLimiter.Per per = client ? RateLimiter.Per.ALL
                : p.value(PolicySettings.limiterPer(pre), rl == null ? null : rl.per());
        if (client && rl != null && rl.per() != RateLimiter.Per.ALL) {
            throw new BindingException(site.describe() + ": @RateLimiter(per = " + rl.per() + ") limits the callers of a"
                    + " handler, but this is a client: its calls have no caller to tell apart. Fix: remove per, or put"
                    + " the limit on the handler");
        }
        if (per != RateLimiter.Per.ALL) {
            if (!timeout.isZero()) {
                throw new BindingException(site.describe() + ": a per-client rate limit (per = " + per + ") refuses at"
                        + " once, but a timeout of " + timeout + " is set. Fix: remove the timeout (" + pre
                        + "rate-limiter.timeout), or limit all callers together");
            }
            return perClient(support, site, pre, p, limit, period, per, inner);
        }
        io.github.resilience4j.ratelimiter.RateLimiter limiter = support.shareable(site, "rate-limiter", () -> { // CHECKSTYLE:FQN-OK
            io.github.resilience4j.ratelimiter.RateLimiter l = io.github.resilience4j.ratelimiter.RateLimiter.of( // CHECKSTYLE:FQN-OK
                    PolicySupport.name(site), RateLimiterConfig.custom().limitForPeriod(limit).limitRefreshPeriod(period)
                            .timeoutDuration(timeout).writableStackTraceEnabled(false).build());
            support.metrics().watch(l);
            return l;
        });
        String retryAfter = PolicySupport.seconds(period);
        return PolicySupport.guarded(inner, limiter::executeCheckedSupplier, RequestNotPermitted.class,
                e -> client ? new CallRejectedException(site.target(), "rate limit reached")
                        : Problem.builder(429).detail("rate limit reached; try again later")
                                .header("Retry-After", retryAfter).build());
    }

    private static Invocation perClient(PolicySupport support, CallSite site, String pre, Policy p, int limit,
                                        Duration period, RateLimiter.Per per, Invocation inner) {
        int maxClients = p.value(PolicySettings.limiterMaxClients(pre), null);
        KeyedRateLimiter limiter = new KeyedRateLimiter(PolicySupport.name(site), limit, period, maxClients,
                System::nanoTime);
        support.metrics().watch(PolicySupport.name(site), limiter);
        return call -> {
            long wait = limiter.acquire(key(call, per));
            if (wait > 0) {
                throw Problem.builder(429).detail("rate limit reached for this client; try again later")
                        .header("Retry-After", PolicySupport.seconds(Duration.ofNanos(wait))).build();
            }
            return inner.invoke(call);
        };
    }

    /** Whom a call counts against: its client address, or its authenticated caller (else its address). */
    private static String key(Call call, RateLimiter.Per per) {
        if (per == RateLimiter.Per.CALLER) {
            Caller caller = Caller.current();
            if (caller.authenticated()) {
                // a subject is unique per issuer only; the separator cannot occur in an issuer URL
                return "caller " + caller.issuer().orElseThrow() + " " + caller.subject().orElseThrow();
            }
        }
        return call.origin().map(o -> network(o.clientAddress())).orElse("");
    }

    /**
     * The key of a client address: an IPv4 address itself, an IPv6 address its /64 — the smallest block a site is
     * given, so that one host cannot take a fresh limit per address of its network — and anything else (a proxy's
     * {@code unknown} or obfuscated name) as it is.
     */
    static String network(String address) {
        if (address.indexOf(':') < 0) {
            return address;
        }
        String a = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
        int percent = a.indexOf('%');
        if (percent >= 0) {
            a = a.substring(0, percent);
        }
        if (a.toLowerCase(Locale.ROOT).startsWith("::ffff:") && a.indexOf('.') > 0) {
            return a.substring(7); // an IPv4 client seen through IPv6: its IPv4 address
        }
        int gap = a.indexOf("::");
        List<String> left = groups(gap < 0 ? a : a.substring(0, gap));
        List<String> right = gap < 0 ? List.of() : groups(a.substring(gap + 2));
        int missing = 8 - count(left) - count(right);
        if ((gap < 0 ? missing != 0 : missing < 1) || a.indexOf("::", gap + 1) >= 0 && gap >= 0
                || left.contains("") || right.contains("")) {
            return address; // not an IPv6 address: keyed as it is
        }
        List<String> all = new ArrayList<>(left);
        for (int i = 0; i < missing; i++) {
            all.add("0");
        }
        all.addAll(right);
        StringBuilder key = new StringBuilder("ipv6 ");
        for (int i = 0; i < 4; i++) {
            String g = all.get(i).replaceFirst("^0+(?=.)", "").toLowerCase(Locale.ROOT);
            key.append(g).append(i < 3 ? ":" : "::/64");
        }
        return key.toString();
    }

    /** How many 16-bit groups these are: an IPv4 tail is two. */
    private static int count(List<String> groups) {
        int n = 0;
        for (String g : groups) {
            n += g.contains(".") ? 2 : 1;
        }
        return n;
    }

    private static List<String> groups(String part) {
        return part.isEmpty() ? List.of() : List.of(part.split(":", -1));
    }
}
