package dev.chassis.observability.internal;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Applies {@code logging.format} and {@code logging.level} to java.util.logging (where {@link System.Logger},
 * and so Chassis and Helidon, log by default). Logging is per process: the first service started in a JVM
 * sets it, and a JVM whose logging is configured by a file ({@code java.util.logging.config.file}) is left
 * alone. Not API.
 */
final class LogSetup {
    private static final System.Logger LOG = System.getLogger(LogSetup.class.getName());
    private static boolean applied;

    private LogSetup() {
    }

    static synchronized void apply(ObservabilitySettings.LogFormat format, ObservabilitySettings.LogLevel level,
                                   String service) {
        if (applied) {
            return;
        }
        applied = true;
        if (System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null) {
            LOG.log(System.Logger.Level.INFO, "java.util.logging is configured by a file or class: logging.format and"
                    + " logging.level are not applied");
            return;
        }
        Level jul = switch (level) {
            case ERROR -> Level.SEVERE;
            case WARN -> Level.WARNING;
            case INFO -> Level.INFO;
            case DEBUG -> Level.FINE;
            case TRACE -> Level.FINEST;
        };
        Logger root = Logger.getLogger("");
        root.setLevel(jul);
        LogFormat formatter = new LogFormat(format == ObservabilitySettings.LogFormat.JSON, service);
        boolean console = false;
        for (Handler h : root.getHandlers()) {
            if (h instanceof ConsoleHandler) {
                h.setFormatter(formatter);
                h.setLevel(jul);
                console = true;
            }
        }
        if (!console) {
            ConsoleHandler h = new ConsoleHandler();
            h.setFormatter(formatter);
            h.setLevel(jul);
            root.addHandler(h);
        }
    }
}
