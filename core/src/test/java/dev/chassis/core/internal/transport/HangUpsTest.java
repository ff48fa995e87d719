package dev.chassis.core.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;

import io.helidon.common.buffers.DataReader;
import io.helidon.http.RequestException;

class HangUpsTest {
    private static LogRecord record(Level level, String message, Throwable thrown) {
        LogRecord r = new LogRecord(level, message);
        r.setThrown(thrown);
        return r;
    }

    private static RequestException internalError(Throwable cause) {
        return RequestException.builder().message("Internal error").cause(cause).build();
    }

    @Test
    void helidonsWarningForAClientThatHungUpIsDropped() {
        HangUps filter = new HangUps(null);
        assertThat(filter.isLoggable(record(Level.WARNING, HangUps.HELIDON_MESSAGE,
                internalError(new DataReader.InsufficientDataAvailableException())))).isFalse();
    }

    @Test
    void everyOtherRecordPasses() {
        HangUps filter = new HangUps(null);
        // an internal error with another cause: a real failure
        assertThat(filter.isLoggable(record(Level.WARNING, HangUps.HELIDON_MESSAGE,
                internalError(new IllegalStateException("a bug"))))).isTrue();
        // the same cause under another message, level or exception type
        assertThat(filter.isLoggable(record(Level.WARNING, "escaped Request exception",
                internalError(new DataReader.InsufficientDataAvailableException())))).isTrue();
        assertThat(filter.isLoggable(record(Level.SEVERE, HangUps.HELIDON_MESSAGE,
                internalError(new DataReader.InsufficientDataAvailableException())))).isTrue();
        assertThat(filter.isLoggable(record(Level.WARNING, HangUps.HELIDON_MESSAGE,
                new IllegalStateException(new DataReader.InsufficientDataAvailableException())))).isTrue();
        assertThat(filter.isLoggable(record(Level.WARNING, HangUps.HELIDON_MESSAGE, null))).isTrue();
    }

    @Test
    void theFilterThatWasThereIsAskedAboutTheOthers() {
        AtomicInteger asked = new AtomicInteger();
        HangUps filter = new HangUps(r -> {
            asked.incrementAndGet();
            return false;
        });
        assertThat(filter.isLoggable(record(Level.INFO, "started", null))).isFalse();
        assertThat(asked).hasValue(1);
    }

    @Test
    void installingTwiceWrapsOnce() {
        Logger helidon = Logger.getLogger("io.helidon.webserver.http1.Http1Connection");
        Filter before = helidon.getFilter();
        try {
            helidon.setFilter(null);
            HangUps.install();
            Filter first = helidon.getFilter();
            HangUps.install();
            assertThat(first).isInstanceOf(HangUps.class);
            assertThat(helidon.getFilter()).isSameAs(first);
        } finally {
            helidon.setFilter(before);
        }
    }

    @Test
    void endedEarlyLooksThroughCauses() {
        assertThat(HangUps.endedEarly(new RuntimeException(new RuntimeException(
                new DataReader.InsufficientDataAvailableException())))).isTrue();
        assertThat(HangUps.endedEarly(new RuntimeException("other"))).isFalse();
        assertThat(HangUps.endedEarly(null)).isFalse();
    }
}
