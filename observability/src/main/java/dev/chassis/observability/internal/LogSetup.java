package dev.chassis.observability.internal;

import java.util.List;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Applies {@code logging.format}, {@code logging.level}, {@code logging.peer-identity} and
 * {@code logging.client-address} to java.util.logging (where {@link System.Logger}, and so Chassis and Helidon, log
 * by default). Logging is per process: the first service started in a JVM sets it, and a JVM whose logging is
 * configured by a file ({@code java.util.logging.config.file}) is left alone. The console handler it installs keeps
 * logging while the JVM exits, so that a SIGTERMed process logs its shutdown. Not API.
 */
final class LogSetup {
    private static final System.Logger LOG = System.getLogger(LogSetup.class.getName());
    /**
     * Helidon's start-up INFO lines, said once more by Chassis' one start line ("preview features", "features",
     * "bound for socket", "Started all channels"), and Hibernate Validator's version line: quiet at the default level
     * INFO, shown at DEBUG and below. Held
     * here because java.util.logging keeps its loggers only weakly.
     */
    private static final List<Logger> START_UP_NOISE = List.of(
            Logger.getLogger("io.helidon.common.features.HelidonFeatures"),
            Logger.getLogger("io.helidon.webserver.ServerListener"),
            Logger.getLogger("io.helidon.webserver.LoomServer"),
            Logger.getLogger("org.hibernate.validator.internal.util.Version"));
    /**
     * The logger of everything under {@code dev.chassis}, one whose handler java.util.logging's exit-time reset cannot
     * remove: the reset removes a handler and only then closes it, and a line that Chassis' own shutdown hook logs in
     * between (the "shutting down" line, logged as the hook starts) would otherwise be lost. Held strongly because
     * java.util.logging keeps its loggers only weakly.
     */
    private static final Logger CHASSIS = new ExitProofLogger("dev.chassis");
    private static boolean applied;

    private LogSetup() {
    }

    static synchronized void apply(ObservabilitySettings.LogFormat format, ObservabilitySettings.LogLevel level,
                                   boolean peerIdentity, boolean clientAddress, String service) {
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
        if (level == ObservabilitySettings.LogLevel.INFO) {
            START_UP_NOISE.forEach(l -> l.setLevel(Level.WARNING));
        }
        LogFormat formatter = new LogFormat(format == ObservabilitySettings.LogFormat.JSON, service, peerIdentity,
                clientAddress);
        // the JDK's console handler is replaced by one that keeps logging while the JVM exits (see ConsoleLog)
        for (Handler h : root.getHandlers()) {
            if (h instanceof ConsoleHandler) {
                root.removeHandler(h);
            }
        }
        ConsoleLog console = new ConsoleLog(root);
        console.setFormatter(formatter);
        console.setLevel(jul);
        root.addHandler(console);
        if (LogManager.getLogManager().addLogger(CHASSIS)) {
            CHASSIS.addHandler(console);
            CHASSIS.addHandler(new RootsOtherHandlers(root));
            CHASSIS.setUseParentHandlers(false);
        }
    }

    /**
     * Hands Chassis' records to the root's handlers other than the console — those an application adds (a file, a
     * bridge to another logging library) — since {@link #CHASSIS} does not use its parents' handlers (the root's
     * console would print every line twice).
     */
    private static final class RootsOtherHandlers extends Handler {
        private final Logger root;

        RootsOtherHandlers(Logger root) {
            this.root = root;
        }

        @Override
        public void publish(LogRecord record) {
            for (Handler h : root.getHandlers()) {
                if (!(h instanceof ConsoleLog)) {
                    h.publish(record);
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    /** A logger that keeps its handlers while the JVM exits (see {@link #CHASSIS}). */
    private static final class ExitProofLogger extends Logger {
        ExitProofLogger(String name) {
            super(name, null);
        }

        @Override
        public void removeHandler(Handler handler) {
            if (!ConsoleLog.exiting()) {
                super.removeHandler(handler);
            }
        }
    }
}
