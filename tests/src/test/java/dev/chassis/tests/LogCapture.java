package dev.chassis.tests;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/** A {@code java.util.logging} handler that keeps every record it is given, for tests that assert on logs. */
public final class LogCapture extends Handler {
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    /** @return the records published so far (a live, thread-safe list) */
    public List<LogRecord> records() {
        return records;
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
