package dev.chassis.resilience.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Caller;
import dev.chassis.core.Problem;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.Setting;
import dev.chassis.core.http.BindingException;
import dev.chassis.core.http.Origin;
import dev.chassis.core.internal.shared.CurrentCaller;
import dev.chassis.core.internal.shared.Names;
import dev.chassis.core.spi.Call;
import dev.chassis.core.spi.CallSite;
import dev.chassis.core.spi.Invocation;
import dev.chassis.resilience.CircuitBreaker;
import dev.chassis.resilience.RateLimiter;
import dev.chassis.resilience.Retry;
import io.opentelemetry.api.metrics.MeterProvider;

/** The handler policies on their own: a decorator invoked directly on a call site, no server and no socket. */
class PolicyDecoratorTest {
    /** Handler methods whose annotations the decorator reads; never called. */
    static final class Api {
        @Retry(maxAttempts = 3, backoff = "1ms")
        public String retried() {
            return "";
        }

        @RateLimiter(limit = 1, period = "1h")
        public String limited() {
            return "";
        }

        @RateLimiter(limit = 1, period = "1h", per = RateLimiter.Per.CALLER)
        public String perCaller() {
            return "";
        }

        @RateLimiter(limit = 1, period = "1h", per = RateLimiter.Per.CLIENT_ADDRESS, timeout = "1s")
        public String perClientWaiting() {
            return "";
        }

        @CircuitBreaker(windowSize = 2, minimumCalls = 2, failureRateThreshold = 50, waitInOpen = "1h")
        public String guarded() {
            return "";
        }

        @Retry(backoff = "5s", maxBackoff = "1s")
        public String badRetry() {
            return "";
        }

        public String plain() {
            return "";
        }
    }

    @Test
    void aMethodWithoutPoliciesIsNotWrapped() throws Exception {
        Invocation next = call -> "ok";
        assertThat(decorator(Map.of()).decorate(site("plain"), next)).isSameAs(next);
    }

    @Test
    void retryRepeatsUnexpectedFailuresUntilTheCallSucceeds() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Invocation inv = decorator(Map.of()).decorate(site("retried"), call -> {
            if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("transient");
            }
            return "ok";
        });
        assertThat(inv.invoke(call("retried"))).isEqualTo("ok");
        assertThat(calls).hasValue(3);
    }

    @Test
    void retryDoesNotRepeatA4xxProblem() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Invocation inv = decorator(Map.of()).decorate(site("retried"), call -> {
            calls.incrementAndGet();
            throw Problem.notFound("never there");
        });
        assertThatThrownBy(() -> inv.invoke(call("retried")))
                .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.status()).isEqualTo(404));
        assertThat(calls).hasValue(1);
    }

    @Test
    void rateLimiterRefusesBeyondItsLimitWith429AndRetryAfter() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Invocation inv = decorator(Map.of()).decorate(site("limited"), call -> calls.incrementAndGet());
        assertThat(inv.invoke(call("limited"))).isEqualTo(1);
        assertThatThrownBy(() -> inv.invoke(call("limited"))).isInstanceOfSatisfying(Problem.class, p -> {
            assertThat(p.status()).isEqualTo(429);
            assertThat(p.headers()).containsEntry("Retry-After", "3600");
        });
        assertThat(calls).as("the refused call never ran").hasValue(1);
    }

    @Test
    void aPerCallerLimitCountsEachAuthenticatedCallerApartAndAnonymousOnesByAddress() throws Exception {
        Invocation inv = decorator(Map.of()).decorate(site("perCaller"), call -> "ok");
        Caller alice = Caller.authenticated("alice", "https://issuer.example").build();
        Caller bob = Caller.authenticated("bob", "https://issuer.example").build();
        Caller otherAlice = Caller.authenticated("alice", "https://other.example").build();
        for (Caller c : List.of(alice, bob, otherAlice)) {
            assertThat(CurrentCaller.call(c, () -> inv.invoke(call("perCaller", "192.0.2.1")))).isEqualTo("ok");
        }
        assertThatThrownBy(() -> CurrentCaller.call(alice, () -> inv.invoke(call("perCaller", "192.0.2.9"))))
                .as("alice again, from another address").isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.status()).isEqualTo(429);
                    assertThat(Long.parseLong(p.headers().get("Retry-After"))).isBetween(1L, 3600L);
                });
        // without a token, the address counts: two anonymous callers from one address share its limit
        assertThat(inv.invoke(call("perCaller", "192.0.2.1"))).isEqualTo("ok");
        assertThatThrownBy(() -> inv.invoke(call("perCaller", "192.0.2.1")))
                .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.status()).isEqualTo(429));
        assertThat(inv.invoke(call("perCaller", "192.0.2.2"))).isEqualTo("ok");
    }

    @Test
    void configurationMakesALimitPerClientAndBoundsHowManyClientsItTracks() throws Exception {
        Invocation inv = decorator(Map.of("handlers.api.limited.rate-limiter.per", "client-address",
                "handlers.api.limited.rate-limiter.max-clients", "2")).decorate(site("limited"), call -> "ok");
        assertThat(inv.invoke(call("limited", "192.0.2.1"))).isEqualTo("ok");
        assertThat(inv.invoke(call("limited", "192.0.2.2"))).isEqualTo("ok");
        assertThatThrownBy(() -> inv.invoke(call("limited", "192.0.2.1")))
                .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.status()).isEqualTo(429));
        // the table is full: the clients beyond it share a few limits rather than each getting a fresh one
        int refused = 0;
        for (int i = 0; i < 200; i++) {
            try {
                inv.invoke(call("limited", "198.51.100." + i));
            } catch (Problem p) {
                assertThat(p.status()).isEqualTo(429);
                refused++;
            }
        }
        assertThat(refused).isGreaterThanOrEqualTo(200 - KeyedRateLimiter.OVERFLOW_BUCKETS);
    }

    @Test
    void anIpv6ClientIsKeyedByIts64AndAnIpv4OneByItsAddress() {
        assertThat(RateLimiterPolicy.network("2001:db8::1")).isEqualTo("ipv6 2001:db8:0:0::/64")
                .isEqualTo(RateLimiterPolicy.network("2001:0DB8:0:0:ffff::2"))
                .isEqualTo(RateLimiterPolicy.network("[2001:db8::7]"))
                .isEqualTo(RateLimiterPolicy.network("2001:db8:0:0:1:2:3:4"));
        assertThat(RateLimiterPolicy.network("2001:db8:0:1::1")).isEqualTo("ipv6 2001:db8:0:1::/64");
        assertThat(RateLimiterPolicy.network("2001:db8::1:2:3:4:5")).as("'::' standing for one group")
                .isEqualTo("ipv6 2001:db8:0:1::/64");
        assertThat(RateLimiterPolicy.network("fe80::1%eth0")).isEqualTo("ipv6 fe80:0:0:0::/64");
        assertThat(RateLimiterPolicy.network("::1")).isEqualTo("ipv6 0:0:0:0::/64");
        assertThat(RateLimiterPolicy.network("::ffff:192.0.2.7")).isEqualTo("192.0.2.7");
        assertThat(RateLimiterPolicy.network("192.0.2.7")).isEqualTo("192.0.2.7");
        for (String asIs : new String[] {"unknown", "_hidden", "1:2:3", "1::2::3", "1:2:3:4:5:6:7:8:9"}) {
            assertThat(RateLimiterPolicy.network(asIs)).as(asIs).isEqualTo(asIs);
        }
    }

    @Test
    void retryAfterRoundsUpToTheNextWholeSecond() {
        assertThat(PolicySupport.seconds(Duration.ofNanos(1_000_000_001L))).isEqualTo("2");
        assertThat(PolicySupport.seconds(Duration.ofSeconds(1))).isEqualTo("1");
        assertThat(PolicySupport.seconds(Duration.ofNanos(1))).isEqualTo("1");
    }

    @Test
    void aPerClientLimitWithATimeoutOrOnAClientIsRefusedAtStartUp() throws Exception {
        assertThatThrownBy(() -> decorator(Map.of()).decorate(site("perClientWaiting"), call -> "ok"))
                .isInstanceOf(BindingException.class).hasMessageContaining("refuses at once")
                .hasMessageContaining("Fix: remove the timeout");
        assertThatThrownBy(() -> decorator(Map.of("handlers.api.limited.rate-limiter.per", "everyone"))
                .decorate(site("limited"), call -> "ok"))
                .hasMessageContaining("all, client-address, caller"); // the service's configuration adds the key
    }

    @Test
    void configurationOverridesTheAnnotation() throws Exception {
        Invocation inv = decorator(Map.of("handlers.api.limited.rate-limiter.limit", "2"))
                .decorate(site("limited"), call -> "ok");
        assertThat(inv.invoke(call("limited"))).isEqualTo("ok");
        assertThat(inv.invoke(call("limited"))).isEqualTo("ok");
        assertThatThrownBy(() -> inv.invoke(call("limited")))
                .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.status()).isEqualTo(429));
    }

    @Test
    void circuitBreakerOpensOnFailuresAndThenRefusesWith503WithoutCalling() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Invocation inv = decorator(Map.of()).decorate(site("guarded"), call -> {
            calls.incrementAndGet();
            throw new IllegalStateException("down");
        });
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> inv.invoke(call("guarded"))).isInstanceOf(IllegalStateException.class);
        }
        assertThatThrownBy(() -> inv.invoke(call("guarded"))).isInstanceOfSatisfying(Problem.class, p -> {
            assertThat(p.status()).isEqualTo(503);
            assertThat(p.headers()).containsEntry("Retry-After", "3600");
        });
        assertThat(calls).as("the open circuit did not call").hasValue(2);
    }

    @Test
    void aContradictoryAnnotationFailsWhenTheMethodIsBound() {
        assertThatThrownBy(() -> decorator(Map.of()).decorate(site("badRetry"), call -> "ok"))
                .isInstanceOf(BindingException.class)
                .hasMessageContaining(Api.class.getName() + ".badRetry()")
                .hasMessageContaining("longer than its maximum")
                .hasMessageContaining("Fix:");
    }

    private static PolicyDecorator decorator(Map<String, String> config) {
        return new PolicyDecorator(new MapConfig(config), Clock.systemUTC(),
                new PolicyMetrics(MeterProvider.noop().get("test")));
    }

    private static CallSite site(String method) throws NoSuchMethodException {
        Method m = Api.class.getMethod(method);
        return new CallSite(CallSite.Kind.HANDLER, "svc", Names.handlerKey(Api.class, m), m, "GET", "/" + method);
    }

    private static Call call(String method) throws NoSuchMethodException {
        return Call.of(site(method), new Object[0], true);
    }

    /** A handler's call from a client at {@code address}. */
    private static Call call(String method, String address) throws NoSuchMethodException {
        return Call.of(site(method), new Object[0], true, () -> new Origin(address, "http", "svc", "", false));
    }

    /** Configuration from a map of keys, as a service's {@code property(...)} calls would give. */
    private record MapConfig(Map<String, String> values) implements Config {
        @Override
        public <T> T get(Setting<T> setting) {
            return find(setting).orElse(null);
        }

        @Override
        public <T> Optional<T> find(Setting<T> setting) {
            return raw(setting.key()).map(setting::parse).or(() -> Optional.ofNullable(setting.defaultValue()));
        }

        @Override
        public Optional<String> raw(String key) {
            return Optional.ofNullable(values.get(key));
        }

        @Override
        public Optional<String> sourceOf(String key) {
            return raw(key).map(v -> "test");
        }

        @Override
        public Set<String> names(String prefix) {
            Set<String> names = new TreeSet<>();
            for (String key : values.keySet()) {
                if (key.startsWith(prefix + ".")) {
                    names.add(key.substring(prefix.length() + 1).split("\\.")[0]);
                }
            }
            return names;
        }

        @Override
        public Optional<String> profile() {
            return Optional.empty();
        }
    }
}
