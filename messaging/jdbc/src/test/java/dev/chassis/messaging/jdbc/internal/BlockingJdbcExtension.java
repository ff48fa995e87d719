package dev.chassis.messaging.jdbc.internal;

import dev.chassis.core.spi.ChassisExtension;
import dev.chassis.core.spi.ExtensionContext;

/**
 * The JDBC extension whose outbox relay stops for good after its first batch was published and acknowledged and
 * before it is marked sent, saying so on stdout ({@code PUBLISHED}): {@link RelayMain} runs it in place of the
 * regular one, so that {@link OutboxFaultsTest} can SIGKILL the JVM exactly there.
 */
public final class BlockingJdbcExtension implements ChassisExtension {
    private final JdbcExtension jdbc = new JdbcExtension(() -> {
        System.out.println("PUBLISHED");
        System.out.flush();
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    });

    @Override
    public String name() {
        return "jdbc-blocking"; // its settings are declared by the regular "jdbc" extension, turned off beside it
    }

    @Override
    public void register(ExtensionContext context) {
        jdbc.register(context);
    }
}
