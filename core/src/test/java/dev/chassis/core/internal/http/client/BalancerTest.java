package dev.chassis.core.internal.http.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.chassis.core.spi.Call;
import dev.chassis.core.spi.CallSite;

/** The load balancer's rules, on its own: choice, retries elsewhere, ejection and its cap, counts. */
class BalancerTest {
    private static final List<URI> FOUR = List.of(URI.create("http://a:1"), URI.create("http://b:1"),
            URI.create("http://c:1"), URI.create("http://d:1"));

    private static ClientCall call() throws NoSuchMethodException {
        CallSite site = new CallSite(CallSite.Kind.CLIENT, "t", "t", Object.class.getMethod("toString"), "GET", "/");
        return new ClientCall(site, new Object[0], true);
    }

    private static Balancer balancer(Balancer.Policy policy) {
        return new Balancer("t", new Balancer.Settings(policy, 3, Duration.ofMinutes(1), Duration.ofMinutes(5), 50));
    }

    @Test
    void aRetryGoesToAnInstanceTheCallHasNotTried() throws Exception {
        Balancer b = balancer(Balancer.Policy.ROUND_ROBIN);
        ClientCall call = call();
        List<URI> picked = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            picked.add(b.pick(FOUR, call));
        }
        assertThat(picked).containsExactlyInAnyOrderElementsOf(FOUR);
        assertThat(b.pick(FOUR, call)).as("all tried: any").isIn(FOUR);
    }

    @Test
    void aCallADecoratorMadeItselfStartsWithNothingTried() throws Exception {
        ClientCall mine = call();
        assertThat(ClientCall.of(mine)).isSameAs(mine);
        Call other = Call.of(mine.site(), new Object[0], true);
        ClientCall wrapped = ClientCall.of(other);
        assertThat(wrapped).isNotSameAs(other);
        assertThat(wrapped.site()).isSameAs(mine.site());
        assertThat(wrapped.idempotent()).isTrue();
        assertThat(wrapped.tried(FOUR.get(0))).isFalse();
        wrapped.markTried(FOUR.get(0));
        assertThat(wrapped.tried(FOUR.get(0))).isTrue();
        assertThat(wrapped.tried(FOUR.get(1))).isFalse();
    }

    @Test
    void leastOutstandingPrefersTheLessBusy() throws Exception {
        Balancer b = balancer(Balancer.Policy.LEAST_OUTSTANDING);
        List<URI> two = FOUR.subList(0, 2);
        for (int i = 0; i < 3; i++) {
            b.started(two.get(0));
        }
        for (int i = 0; i < 20; i++) {
            assertThat(b.pick(two, call())).isEqualTo(two.get(1));
        }
    }

    @Test
    void failuresInARowEjectButNeverMoreThanTheShareEvenConcurrently() throws Exception {
        Balancer b = balancer(Balancer.Policy.ROUND_ROBIN);
        FOUR.forEach(u -> b.pick(List.of(u), callUnchecked()));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < 8; t++) {
            pool.submit(() -> {
                go.await();
                for (int i = 0; i < 50; i++) {
                    for (URI u : FOUR) {
                        b.failed(u, FOUR); // every instance fails at once: the cap must hold
                    }
                }
                return null;
            });
        }
        go.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        long ejected = FOUR.stream().filter(b::ejected).count();
        assertThat(ejected).as("at most 50 %% of 4").isEqualTo(2);
        // an ejected instance is not picked while another is available
        for (int i = 0; i < 20; i++) {
            assertThat(b.ejected(b.pick(FOUR, call()))).isFalse();
        }
    }

    @Test
    void aSuccessEndsTheRunOfFailures() throws Exception {
        Balancer b = balancer(Balancer.Policy.ROUND_ROBIN);
        URI a = FOUR.get(0);
        b.pick(List.of(a), call());
        b.failed(a, FOUR);
        b.failed(a, FOUR);
        b.succeeded(a);
        b.failed(a, FOUR);
        b.failed(a, FOUR);
        assertThat(b.ejected(a)).isFalse();
        b.failed(a, FOUR);
        assertThat(b.ejected(a)).isTrue();
    }

    @Test
    void releasingMoreThanStartedNeverGoesNegative() throws Exception {
        Balancer b = balancer(Balancer.Policy.LEAST_OUTSTANDING);
        List<URI> two = FOUR.subList(0, 2);
        b.started(two.get(1));
        b.release(two.get(0));
        b.release(two.get(0)); // unknown and over-released: ignored
        b.release(URI.create("http://gone:1"));
        assertThat(b.pick(two, call())).isEqualTo(two.get(0));
    }

    private static ClientCall callUnchecked() {
        try {
            return call();
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }
}
