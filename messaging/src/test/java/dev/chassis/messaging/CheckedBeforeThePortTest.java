package dev.chassis.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
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
}
