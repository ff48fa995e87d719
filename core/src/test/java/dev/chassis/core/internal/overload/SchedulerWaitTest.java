package dev.chassis.core.internal.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The wait a request would have: queued threads per carrier × the CPU a request cost in the last period. */
class SchedulerWaitTest {
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong cpu = new AtomicLong(5_000_000_000L);
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final SchedulerWait wait = new SchedulerWait(queued::get, cpu::get, now::get, 1);

    private static final long MS = 1_000_000L;

    /** {@code n} requests in one period that together cost {@code cpuNanos}, then the period's end. */
    private void period(int n, long cpuNanos) {
        for (int i = 0; i < n; i++) {
            wait.saturated(Long.MAX_VALUE);
        }
        cpu.addAndGet(cpuNanos);
        now.addAndGet(SchedulerWait.PERIOD_NANOS);
    }

    @Test
    void nothingIsRefusedBeforeACostIsKnown() {
        queued.set(1_000);
        assertThat(wait.saturated(1)).isFalse();
        assertThat(wait.waitNanos()).isZero();
    }

    @Test
    void theWaitIsTheQueueTimesTheRecentCostPerRequest() {
        period(25, 50 * MS); // 2 ms a request, the CPU busy all the period
        queued.set(4);
        assertThat(wait.saturated(5 * MS)).as("the first look after the period measures it: 4 × 2 ms").isTrue();
        assertThat(wait.waitNanos()).isEqualTo(8 * MS);
        queued.set(2);
        assertThat(wait.saturated(5 * MS)).as("4 ms").isFalse();
    }

    @Test
    void aQueueWhileTheCpuIdlesRefusesNothing() {
        period(10, 20 * MS); // 2 ms a request, but 20 ms of CPU in a 50 ms period: 40 % busy
        queued.set(100);
        assertThat(wait.saturated(5 * MS)).as("a burst at low load: 200 ms of queue, the CPU mostly idle").isFalse();
        assertThat(wait.waitNanos()).isEqualTo(200 * MS);
        period(24, 48 * MS); // 96 % busy
        assertThat(wait.saturated(5 * MS)).isTrue();
    }

    @Test
    void refusalsMakeRequestsCheaperAndTheBoundAdmitsMore() {
        period(25, 50 * MS);
        queued.set(20);
        assertThat(wait.saturated(5 * MS)).isTrue(); // 40 ms: the period of 25 requests at 2 ms each
        // a period in which most requests were refused: 250 requests for the same 50 ms of CPU, 0.2 ms each (the
        // look above counts as one of them)
        period(249, 50 * MS);
        assertThat(wait.saturated(5 * MS)).as("20 × 0.2 ms = 4 ms").isFalse();
        assertThat(wait.waitNanos()).isEqualTo(4 * MS);
    }

    /** {@code n} looks that each find the wait above {@code maxNanos} and are refused. */
    private void refuse(int n, long maxNanos) {
        for (int i = 0; i < n; i++) {
            assertThat(wait.saturated(maxNanos)).isTrue();
            wait.refused();
        }
    }

    @Test
    void aPeriodSpentRefusingStillCountsAsBusy() {
        period(25, 50 * MS); // nothing refused: 2 ms is what a served request costs
        queued.set(20);
        // a period in which 40 requests were refused and the CPU, serving few, used 15 ms: on CPU time alone it is
        // 30 % busy, but its requests asked for 15 + 40 × 2 = 95 ms of a 50 ms period
        refuse(40, 5 * MS);
        cpu.addAndGet(15 * MS);
        now.addAndGet(SchedulerWait.PERIOD_NANOS);
        queued.set(40);
        assertThat(wait.saturated(5 * MS)).as("40 × 0.375 ms = 15 ms, and the CPU is still in demand").isTrue();
        assertThat(wait.waitNanos()).isEqualTo(15 * MS);
    }

    @Test
    void aPeriodThatHardlyUsedTheCpuIsNotBusyWhateverItRefused() {
        period(25, 50 * MS);
        queued.set(20);
        refuse(40, 5 * MS);
        cpu.addAndGet(5 * MS); // 10 % of the period: refusals alone must not keep the check refusing
        now.addAndGet(SchedulerWait.PERIOD_NANOS);
        queued.set(40);
        assertThat(wait.saturated(5 * MS)).isFalse();
    }

    @Test
    void aQuietPeriodAfterRefusingEndsTheDemand() {
        period(25, 50 * MS);
        queued.set(20);
        refuse(40, 5 * MS);
        cpu.addAndGet(40 * MS);
        now.addAndGet(SchedulerWait.PERIOD_NANOS);
        queued.set(0);
        wait.saturated(5 * MS); // measures that period: busy
        period(5, 10 * MS); // then a quiet one: nothing refused, 20 % busy
        queued.set(100);
        assertThat(wait.saturated(5 * MS)).as("a burst at low load after an overload").isFalse();
    }

    @Test
    void aServedRequestsCostIsLearnedFromPeriodsWithEnoughRequestsAndSmoothed() {
        period(25, 50 * MS); // 2 ms
        period(1, 45 * MS); // one request and 45 ms of other work: says nothing of a request's cost
        wait.saturated(Long.MAX_VALUE);
        assertThat(wait.servedCostNanos()).isEqualTo(2 * MS);
        period(9, 36 * MS); // 4 ms each (the look above is the tenth request: 3.6 ms)
        wait.saturated(Long.MAX_VALUE);
        assertThat(wait.servedCostNanos()).as("half the old, half the new").isEqualTo((2 * MS + 36 * MS / 10) / 2);
    }

    @Test
    void theRestOfTheProcessTakesItsShareOfTheCpu() {
        AtomicLong process = new AtomicLong(9_000_000_000L);
        SchedulerWait withOthers = new SchedulerWait(queued::get, cpu::get, process::get, now::get, 1);
        SchedulerWait carriersOnly = new SchedulerWait(queued::get, cpu::get, now::get, 1);
        // a second of periods in which the carriers used 25 ms of each 50 and the collector and compilers 20 more
        for (int p = 0; p < 21; p++) {
            for (int i = 0; i < 10; i++) {
                withOthers.saturated(Long.MAX_VALUE);
                carriersOnly.saturated(Long.MAX_VALUE);
            }
            cpu.addAndGet(25 * MS);
            process.addAndGet(45 * MS);
            now.addAndGet(SchedulerWait.PERIOD_NANOS);
        }
        queued.set(10); // 10 × 2.5 ms
        assertThat(withOthers.saturated(5 * MS)).as("25 ms of the 30 the carriers could have: busy").isTrue();
        assertThat(carriersOnly.saturated(5 * MS)).as("25 ms of 50: not busy").isFalse();
    }

    @Test
    void theCostIsMeasuredOncePerPeriodNotPerRequest() {
        period(25, 50 * MS);
        queued.set(1);
        wait.saturated(Long.MAX_VALUE);
        cpu.addAndGet(1_000 * MS); // within the period: not read again until it ends
        for (int i = 0; i < 100; i++) {
            wait.saturated(Long.MAX_VALUE);
        }
        assertThat(wait.waitNanos()).isEqualTo(2 * MS);
    }
}
