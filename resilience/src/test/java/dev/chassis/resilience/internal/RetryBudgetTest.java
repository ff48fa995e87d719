package dev.chassis.resilience.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class RetryBudgetTest {
    @Test
    void remainingIsTheFloorPlusTheShareOfRequestsLessTheRetriesTaken() {
        RetryBudget budget = new RetryBudget(0.2, 1, Clock.fixed(Instant.ofEpochSecond(1_000), ZoneOffset.UTC));
        assertThat(budget.remaining()).as("the floor: 1 a second over ten seconds").isEqualTo(10);
        for (int i = 0; i < 50; i++) {
            budget.recordRequest();
        }
        assertThat(budget.remaining()).isEqualTo(20); // 10 + 0.2 * 50
        for (int i = 0; i < 20; i++) {
            assertThat(budget.tryAcquireRetry()).isTrue();
        }
        assertThat(budget.remaining()).isZero();
        assertThat(budget.tryAcquireRetry()).as("spent").isFalse();
    }
}
