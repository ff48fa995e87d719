package dev.chassis.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits, up to a deadline, for something that other threads or processes make true: for tests of asynchronous work
 * (messages, relays, watches) instead of a fixed sleep, which is too short on a loaded machine and too long
 * everywhere else.
 *
 * <pre>{@code
 * Eventually.within(Duration.ofSeconds(10)).until("the event consumed", () -> received.size() == 1);
 * Eventually.within(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(received).containsExactly(event));
 * List<JsonNode> spans = Eventually.within(Duration.ofSeconds(10))
 *         .get("3 spans", () -> captured.trace(id), s -> s.size() >= 3);
 * }</pre>
 *
 * The check runs at once, then after pauses that grow from 1 ms to 100 ms, and once more at the deadline; it runs on
 * the calling thread. When the deadline passes, an {@link AssertionError} names what was waited for and the last
 * value or assertion error. An exception other than an {@code AssertionError} thrown by a check is not retried: it
 * ends the wait at once. Instances are immutable and may be shared.
 */
public final class Eventually {
    private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Duration timeout;

    private Eventually(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * Waits of at most {@code timeout}.
     *
     * @throws IllegalArgumentException if the timeout is zero or negative
     */
    public static Eventually within(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, but was " + timeout);
        }
        return new Eventually(timeout);
    }

    /**
     * Returns when {@code condition} is true.
     *
     * @param what what the condition means, for the failure message ("the event consumed")
     * @throws AssertionError if it is still false at the deadline, or the thread is interrupted
     */
    public void until(String what, BooleanSupplier condition) {
        Objects.requireNonNull(condition, "condition");
        poll(what, condition::getAsBoolean, Boolean::booleanValue, false);
    }

    /**
     * Returns when {@code assertion} runs without an {@link AssertionError}.
     *
     * @throws AssertionError if it still fails at the deadline: the message holds the last failure's, which is its
     *                        cause; or if the thread is interrupted
     */
    public void untilAsserted(ThrowingRunnable assertion) {
        Objects.requireNonNull(assertion, "assertion");
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_NANOS;
        while (true) {
            AssertionError last;
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                last = e;
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new AssertionError("the assertion threw " + e, e);
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + describe(timeout) + " waiting until the assertion"
                        + " passed; last failure: " + last.getMessage(), last);
            }
            pause = pause(deadline, pause);
        }
    }

    /**
     * Returns the first value of {@code supplier} that {@code accept} accepts.
     *
     * @param what what an accepted value means, for the failure message ("3 spans")
     * @throws AssertionError if no value is accepted by the deadline: the message holds the last value; or if the
     *                        thread is interrupted
     */
    public <T> T get(String what, Supplier<? extends T> supplier, Predicate<? super T> accept) {
        Objects.requireNonNull(supplier, "supplier");
        Objects.requireNonNull(accept, "accept");
        return poll(what, supplier, accept, true);
    }

    private <T> T poll(String what, Supplier<? extends T> supplier, Predicate<? super T> accept, boolean showLast) {
        Objects.requireNonNull(what, "what");
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_NANOS;
        while (true) {
            T value = supplier.get();
            if (accept.test(value)) {
                return value;
            }
            if (System.nanoTime() - deadline >= 0) {
                String last = showLast ? "; last value: " + value : "";
                throw new AssertionError("timed out after " + describe(timeout) + " waiting until " + what + last);
            }
            pause = pause(deadline, pause);
        }
    }

    /** An assertion that may throw a checked exception; one that does ends the wait at once. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        /** Runs the assertion; an {@link AssertionError} means "not yet". */
        void run() throws Exception;
    }

    /** Sleeps for {@code pause}, but not past the deadline, and returns the next, longer pause. */
    private static long pause(long deadline, long pause) {
        long sleep = Math.max(0, Math.min(pause, deadline - System.nanoTime()));
        try {
            TimeUnit.NANOSECONDS.sleep(sleep);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting", e);
        }
        return Math.min(pause * 2, MAX_PAUSE_NANOS);
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
