package dev.chassis.observability.internal;

import java.util.List;
import java.util.logging.ConsoleHandler;
import java.util.logging.Logger;

/**
 * The root logger's console handler (standard error) once Chassis has set up logging. It outlives the JVM's exit:
 * java.util.logging's {@code LogManager} removes and closes every handler in a shutdown hook of its own, which runs
 * concurrently with the services' shutdown hooks, so that what they log while they drain and close (the "shutting
 * down" and "stopped" lines) would be lost. When it is closed while the JVM exits, this handler attaches itself to
 * the root logger again; a {@code LogManager.reset()} at any other time removes it for good. Not API.
 */
final class ConsoleLog extends ConsoleHandler {
    private final Logger root;

    ConsoleLog(Logger root) {
        this.root = root;
    }

    @Override
    public void close() {
        flush(); // what ConsoleHandler.close() does: standard error stays open
        if (exiting()) {
            // the reset closes this handler once per logger that holds it: attach it to the root only once
            synchronized (root) {
                if (!List.of(root.getHandlers()).contains(this)) {
                    root.addHandler(this);
                }
            }
        }
    }

    /** Whether the JVM has begun to exit: it then refuses new shutdown hooks. */
    static boolean exiting() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
        } catch (IllegalStateException shutdownInProgress) {
            return true;
        }
        Runtime.getRuntime().removeShutdownHook(probe);
        return false;
    }
}
