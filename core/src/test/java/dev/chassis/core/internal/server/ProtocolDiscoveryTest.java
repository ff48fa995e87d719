package dev.chassis.core.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

import io.helidon.webserver.spi.ProtocolConfig;

/** The wait for Helidon's protocols, listed on a thread of their own while a start goes on. */
class ProtocolDiscoveryTest {

    @Test
    void aListingThatNeverEndsFailsTheStartAfterTheLimitShowingWhereItStood() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        Thread stuck = Thread.ofPlatform().daemon().name("chassis-protocols").start(() -> {
            try {
                never.await(); // a listing that stopped making progress
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            Registration.ProtocolDiscovery discovery = new Registration.ProtocolDiscovery(stuck,
                    new CompletableFuture<>());
            assertThatThrownBy(() -> discovery.await(Duration.ofMillis(50)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Helidon's protocols were not listed within PT0.05S")
                    .hasMessageContaining("thread chassis-protocols")
                    .satisfies(e -> assertThat(e.getStackTrace()).extracting(StackTraceElement::getMethodName)
                            .contains("await"));
        } finally {
            never.countDown();
            stuck.join();
        }
    }

    @Test
    void aListingThatFailedRethrowsItsOwnError() {
        CompletableFuture<List<ProtocolConfig>> failed = new CompletableFuture<>();
        failed.completeExceptionally(new IllegalStateException("no HTTP/1.1 provider"));
        Registration.ProtocolDiscovery discovery = new Registration.ProtocolDiscovery(Thread.currentThread(), failed);
        assertThatThrownBy(discovery::await).isInstanceOf(IllegalStateException.class)
                .hasMessage("no HTTP/1.1 provider");
    }

    @Test
    void aFinishedListingIsReturned() {
        List<ProtocolConfig> none = List.of();
        Registration.ProtocolDiscovery discovery = new Registration.ProtocolDiscovery(Thread.currentThread(),
                CompletableFuture.completedFuture(none));
        assertThat(discovery.await()).isSameAs(none);
    }
}
