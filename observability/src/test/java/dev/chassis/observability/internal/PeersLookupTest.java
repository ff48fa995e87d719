package dev.chassis.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** The names the console looks up are bounded over the service's life, and a lookup is bounded by the peer timeout. */
class PeersLookupTest {
    @Test
    void atMostSoManyNamesAreEverLookedUp() {
        AtomicInteger lookups = new AtomicInteger();
        Peers peers = new Peers(name -> {
            lookups.incrementAndGet();
            return Optional.empty();
        }, null, Duration.ofSeconds(5));
        List<String> names = IntStream.range(0, Peers.MAX_NAMES + 44).mapToObj(i -> "svc-" + i).toList();
        List<Peers.Answer> answers = peers.ask(names, "/console/api/edges");
        assertThat(lookups.get()).isEqualTo(Peers.MAX_NAMES);
        assertThat(answers).filteredOn(a -> a.problem().startsWith("not looked up")).hasSize(44);
        // a name looked up before is asked again; a new one is not
        assertThat(peers.ask(List.of("svc-0", "svc-new"), "/console/api/edges")).extracting(Peers.Answer::problem)
                .containsExactlyInAnyOrder("unknown: neither discovery nor clients.svc-0.url names it",
                        "not looked up: the console has looked up " + Peers.MAX_NAMES
                                + " names already (peers name services; each lookup is kept)");
    }

    @Test
    void aLookupThatHangsIsNamedWithinTheTimeout() {
        CountDownLatch never = new CountDownLatch(1);
        Peers peers = new Peers(name -> {
            try {
                never.await(); // discovery that never answers
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.of(List.of(URI.create("http://127.0.0.1:1")));
        }, null, Duration.ofMillis(300));
        long start = System.nanoTime();
        List<Peers.Answer> answers = peers.ask(List.of("stuck"), "/console/api/edges");
        assertThat(answers).singleElement().satisfies(a ->
                assertThat(a.problem()).isEqualTo("discovery did not answer within 300 ms"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
}
