package dev.chassis.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;

/** Chassis' own lines go through an exit-proof logger, and still reach the handlers an application adds. */
class LogSetupTest {
    @Test
    void chassisLinesReachHandlersTheApplicationAddsToTheRoot() {
        LogSetup.apply(ObservabilitySettings.LogFormat.TEXT, ObservabilitySettings.LogLevel.INFO, false, false, "logs");
        List<String> seen = new CopyOnWriteArrayList<>();
        Handler application = new Handler() {
            @Override
            public void publish(LogRecord record) {
                seen.add(record.getLoggerName() + ": " + record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(application);
        try {
            System.getLogger("dev.chassis.example.Component").log(System.Logger.Level.INFO, "a chassis line");
            System.getLogger("dev.chassis.example.Component").log(System.Logger.Level.DEBUG, "below the level");
            System.getLogger("org.example.App").log(System.Logger.Level.INFO, "an application line");
        } finally {
            root.removeHandler(application);
        }
        assertThat(seen).containsExactly("dev.chassis.example.Component: a chassis line",
                "org.example.App: an application line");
    }
}
