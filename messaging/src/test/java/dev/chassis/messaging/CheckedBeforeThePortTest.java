package dev.chassis.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.config.ConfigException;
import dev.chassis.testing.StartFailure;

/** This module's configuration is checked before the service's port is bound (see StartFailure). */
class CheckedBeforeThePortTest {
    public static final class Billing {
        @Consume(topic = "orders.placed", group = "billing")
        public void on(String event) {
        }
    }

    @Test
    void aConsumerKeyNamingNoHandlerFailsBeforeThePortIsBound() {
        RuntimeException e = StartFailure.of(Chassis.service("checked").consume(new Billing())
                .property("consumers.billing.no.max-attempts", "2"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("consumers.billing.no")
                .hasMessageContaining("billing.on");
    }

    @Test
    void aMisspeltConsumerKeyGetsTheHandlerItMeant() {
        RuntimeException e = StartFailure.of(Chassis.service("checked").consume(new Billing())
                .property("consumers.billing.onn.max-attempts", "2"));
        assertThat(e).isInstanceOf(ConfigException.class)
                .hasMessageContaining("consumers.billing.onn names no @Consume handler of this service."
                        + " Did you mean consumers.billing.on?");
    }

    @Test
    void aMisspeltSettingUnderAConsumerIsSuggested() {
        RuntimeException e = StartFailure.of(Chassis.service("checked").consume(new Billing())
                .property("consumers.billing.on.max-atempts", "2"));
        assertThat(e).isInstanceOf(ConfigException.class)
                .hasMessageContaining("Did you mean consumers.billing.on.max-attempts?");
    }

    @Test
    void anUnknownBrokerFailsBeforeThePortIsBound() {
        RuntimeException e = StartFailure.of(Chassis.service("checked").property("messaging.broker", "rabbit"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("messaging.broker is 'rabbit'");
    }

    @Test
    void productionModeRefusesTheInMemoryBrokerBeforeThePortIsBound() {
        RuntimeException e = StartFailure.of(Chassis.service("checked").property("chassis.profile", "production").property("management.port", "0"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("production mode refuses the in-memory"
                + " broker (extension messaging). Fix: set messaging.broker: kafka and messaging.kafka.bootstrap-servers"
                + " (chassis-messaging-kafka); or allow it with production.allow.in-memory-broker: true");
    }

    @Test
    void productionModeStartsWithTheInMemoryBrokerExplicitlyAllowed() {
        RunningService s = Chassis.service("allowed").property("server.port", "0")
                .property("chassis.profile", "production").property("management.port", "0")
                .property("production.allow.in-memory-broker", "true").start();
        assertThat(s.isRunning()).isTrue();
        s.stop();
    }

    @Test
    void theConsumersShutdownTimeoutCountsInTheGracePeriod() {
        RuntimeException e = StartFailure.of(Chassis.service("checked").consume(new Billing())
                .property("messaging.shutdown-timeout", "20s"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("the graceful shutdown cannot fit"
                + " server.shutdown.grace-period = 30s (default): messaging.shutdown-timeout 20s + server.shutdown.delay"
                + " 0s + server.shutdown.timeout 15s = 35s, 5s too long");
    }

    @Test
    void withoutConsumersTheShutdownTimeoutIsNotCounted() {
        RunningService s = Chassis.service("publisher").property("server.port", "0")
                .property("messaging.shutdown-timeout", "20s").start();
        assertThat(s.isRunning()).isTrue();
        s.stop();
    }
}
