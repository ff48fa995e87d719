package dev.chassis.messaging.jdbc.internal;

import dev.chassis.core.Chassis;

/**
 * A child JVM for {@link OutboxFaultsTest}: an orders service whose outbox relay publishes to Kafka. With
 * {@code block}, the relay stops after its first batch was published and acknowledged and before it is marked
 * sent, and says so on stdout, so that the parent can SIGKILL it exactly there.
 */
public final class RelayMain {
    private RelayMain() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String bootstrap = args[1];
        if (args.length > 2 && args[2].equals("block")) {
            Relay.afterPublish = () -> {
                System.out.println("PUBLISHED");
                System.out.flush();
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
        }
        Chassis.service("orders").property("server.port", "0").property("datasource.url", url)
                .property("messaging.broker", "kafka").property("messaging.kafka.bootstrap-servers", bootstrap)
                .property("outbox.batch-size", "100").start();
        System.out.println("STARTED");
        System.out.flush();
        Thread.currentThread().join();
    }
}
