package dev.chassis.messaging.kafka;

import java.io.IOException;

import dev.chassis.core.Chassis;
import dev.chassis.messaging.Consume;

/**
 * A consumer service in a child JVM for {@link KafkaFaultsTest}: prints {@code HANDLED <seq>} for every event
 * and, on the one numbered {@code args[1]}, prints and then blocks, so that the parent can kill it after the
 * handler ran but before the offset was committed.
 */
public final class ConsumerMain {
    private ConsumerMain() {
    }

    public record Numbered(int seq) {
    }

    public static final class Handler {
        private final int blockOn;

        Handler(int blockOn) {
            this.blockOn = blockOn;
        }

        @Consume(topic = "f2.numbers", group = "killed")
        public void on(Numbered event) throws InterruptedException {
            System.out.println("HANDLED " + event.seq());
            System.out.flush();
            if (event.seq() == blockOn) {
                Thread.sleep(Long.MAX_VALUE);
            }
        }
    }

    public static void main(String[] args) throws IOException {
        Chassis.service("killed-consumer").property("server.port", "0").property("messaging.broker", "kafka")
                .property("messaging.kafka.bootstrap-servers", args[0])
                // the group notices the killed member after this (the broker's minimum): then 3 goes to the next one
                .property("messaging.kafka.session-timeout", "6s")
                .consume(new Handler(Integer.parseInt(args[1]))).start();
        while (System.in.read() >= 0) {
            // run until killed (or stdin closes)
        }
        System.exit(0);
    }
}
