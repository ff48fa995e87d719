package dev.chassis.messaging.jdbc.internal;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.chassis.core.Chassis;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.spi.ChassisExtension;

/**
 * A child JVM for {@link OutboxFaultsTest}: an orders service whose outbox relay publishes to Kafka. With
 * {@code block}, the JDBC extension is {@link BlockingJdbcExtension}, whose relay stops after its first batch was
 * published and acknowledged and before it is marked sent, and says so on stdout, so that the parent can SIGKILL it
 * exactly there.
 */
public final class RelayMain {
    private RelayMain() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String bootstrap = args[1];
        ServiceBuilder orders = Chassis.service("orders").property("server.port", "0").property("datasource.url", url)
                .property("messaging.broker", "kafka").property("messaging.kafka.bootstrap-servers", bootstrap)
                .property("outbox.batch-size", "100");
        if (args.length > 2 && args[2].equals("block")) {
            // the service finds its extensions with the context class loader: add the blocking one, turn the regular off
            Path dir = Files.createTempDirectory("relay-main");
            Path services = dir.resolve("META-INF/services/" + ChassisExtension.class.getName());
            Files.createDirectories(services.getParent());
            Files.writeString(services, BlockingJdbcExtension.class.getName() + "\n");
            Thread.currentThread().setContextClassLoader(new URLClassLoader(new URL[] {dir.toUri().toURL()},
                    RelayMain.class.getClassLoader()));
            orders.property("chassis.extensions.jdbc.enabled", "false");
        }
        orders.start();
        System.out.println("STARTED");
        System.out.flush();
        Thread.currentThread().join();
    }
}
