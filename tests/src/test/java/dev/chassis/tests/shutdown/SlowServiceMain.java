package dev.chassis.tests.shutdown;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;

/**
 * A service in its own process, for the SIGTERM test: prints {@code PORT <n>} when ready and
 * {@code ENTERED <id>} when a slow request starts. Stops on SIGTERM through Chassis' shutdown hook.
 */
public final class SlowServiceMain {
    private SlowServiceMain() {
    }

    public static void main(String[] args) {
        RunningService s = Chassis.service("slow")
                .http(new SlowApi(id -> {
                    System.out.println("ENTERED " + id);
                    System.out.flush();
                }))
                .property("server.port", "0")
                .property("server.shutdown.delay", "500ms")
                .start();
        System.out.println("PORT " + s.port());
        System.out.flush();
    }
}
